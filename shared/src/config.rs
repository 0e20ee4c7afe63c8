//! Typed configuration, read once at start-up from an optional TOML file and the environment,
//! validated before any work starts. This file is the one place where every setting and its
//! default is written down (docs/configuration.md repeats it for operators).
//!
//! Precedence, lowest first: built-in defaults, the TOML file (`--config FILE` or `TAMIS_CONFIG`),
//! then environment variables (`TAMIS_AMQP_URL`, `TAMIS_BLOB_URL`, ...).

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Everything a Tamis process can be told.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
#[derive(Default)]
pub struct Config {
    pub amqp: AmqpConfig,
    pub blob: BlobConfig,
    pub workers: WorkersConfig,
    pub limits: LimitsConfig,
    pub retry: RetryConfig,
    /// Taxonomy file (types, keywords, label synonyms); default: the one built in.
    pub taxonomy: Option<PathBuf>,
    /// Routing policy file (thresholds, required fields); default: the one built in.
    pub policy: Option<PathBuf>,
    /// 2D-Doc trust list (certificates by CA id and certificate id). Env: `TAMIS_2DDOC_TRUST_LIST`.
    /// Default none: barcodes are read but not trusted.
    pub twoddoc_trust_list: Option<PathBuf>,
    /// The back-office console (`tamis console`).
    pub console: ConsoleConfig,
    /// The HTTP intake (`tamis api`).
    pub api: ApiConfig,
    /// How long document bytes and records are kept (`tamis purge`).
    pub retention: RetentionConfig,
}

/// How long what Tamis stores is kept after a document's final outcome (accepted, rejected, or
/// reviewed by a person); `tamis purge` deletes what is past it. See docs/retention.md.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionConfig {
    /// Env: `TAMIS_RETENTION_DOCUMENTS_DAYS`.
    /// Days document bytes are kept after the final outcome (page images are rendered from them,
    /// never stored). Default 30: long enough to answer a citizen's or an agent's question about
    /// the decision, while the case system holds the document of record.
    pub documents_days: u32,
    /// Days the outcome records and reviewers' decisions (the audit trail) are kept after the
    /// final outcome; at least `documents_days`. Env: `TAMIS_RETENTION_AUDIT_DAYS`. Default 365.
    pub audit_days: u32,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig { documents_days: 30, audit_days: 365 }
    }
}

impl RetentionConfig {
    /// The periods as the purge applies them.
    pub fn periods(&self) -> crate::retention::Retention {
        crate::retention::Retention {
            documents: time::Duration::days(self.documents_days.into()),
            audit: time::Duration::days(self.audit_days.into()),
        }
    }
}

/// How to reach RabbitMQ and how hard to lean on it.
#[derive(Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AmqpConfig {
    /// `amqp://` or `amqps://` URL. Env: `TAMIS_AMQP_URL`. Default `amqp://guest:guest@127.0.0.1:5672/%2f`.
    pub url: String,
    /// Unacknowledged messages a consumer may hold. Env: `TAMIS_PREFETCH`. Default 4.
    pub prefetch: u16,
    /// Deliveries of one message before it is parked (quorum queue `x-delivery-limit`). Default 5.
    pub delivery_limit: u32,
    /// Prefix of every exchange and queue name. Env: `TAMIS_AMQP_PREFIX`. Default `tamis`.
    pub prefix: String,
    /// A file holding the URL (a mounted secret), read at start-up; it wins over `url`.
    /// Env: `TAMIS_AMQP_URL_FILE`. Default none.
    pub url_file: Option<PathBuf>,
    /// PEM file of the CA that signed the broker's certificate, for `amqps://` brokers whose CA
    /// is not in the system store. Env: `TAMIS_AMQP_CA_FILE`. Default none (system store).
    pub ca_file: Option<PathBuf>,
    /// Longest wait between two reconnection attempts, seconds. Default 30.
    pub reconnect_max_secs: u64,
    /// How long the journal stream (`{prefix}.journal`) keeps entries: a number and a unit
    /// `Y`, `M`, `D`, `h`, `m` or `s` (RabbitMQ's `x-max-age`). Default `7D`. The console cannot
    /// tell the age of an item that entered its queue longer ago than this.
    pub journal_max_age: String,
    /// The most bytes the journal keeps on disk (`x-max-length-bytes`). Default 5 GB.
    pub journal_max_bytes: u64,
}

impl AmqpConfig {
    /// The journal's retention as the topology declares it.
    pub fn journal_retention(&self) -> crate::topology::JournalRetention {
        let default = crate::topology::JournalRetention::default();
        crate::topology::JournalRetention {
            max_age: self.journal_max_age.clone(),
            max_bytes: self.journal_max_bytes,
            // Retention drops whole segments: at most a tenth of the size limit each.
            segment_bytes: default.segment_bytes.min(self.journal_max_bytes / 10).max(1_000_000),
        }
    }
}

impl std::fmt::Debug for AmqpConfig {
    // The URL may hold a password: show it redacted.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AmqpConfig")
            .field("url", &redact_url(&self.url))
            .field("prefetch", &self.prefetch)
            .field("delivery_limit", &self.delivery_limit)
            .field("prefix", &self.prefix)
            .field("url_file", &self.url_file)
            .field("ca_file", &self.ca_file)
            .field("reconnect_max_secs", &self.reconnect_max_secs)
            .field("journal_max_age", &self.journal_max_age)
            .field("journal_max_bytes", &self.journal_max_bytes)
            .finish()
    }
}

impl Default for AmqpConfig {
    fn default() -> Self {
        AmqpConfig {
            url: "amqp://guest:guest@127.0.0.1:5672/%2f".into(),
            prefetch: 4,
            delivery_limit: 5,
            prefix: "tamis".into(),
            url_file: None,
            ca_file: None,
            reconnect_max_secs: 30,
            journal_max_age: crate::topology::JournalRetention::default().max_age,
            journal_max_bytes: crate::topology::JournalRetention::default().max_bytes,
        }
    }
}

/// How a transient failure is retried: through delay queues, then parking.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RetryConfig {
    /// Delay tiers in milliseconds, shortest first: after the n-th failure a message waits the
    /// n-th delay (the last one past the end) in a delay queue, then returns to its stage.
    /// Env: `TAMIS_RETRY_DELAYS_MS` (comma-separated). Default `1000,5000,30000`.
    pub delays_ms: Vec<u64>,
    /// Failures of one message before it is parked with its error. Env: `TAMIS_RETRY_ATTEMPTS`.
    /// Default 5.
    pub max_attempts: u32,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig { delays_ms: crate::topology::DEFAULT_RETRY_DELAYS_MS.to_vec(), max_attempts: 5 }
    }
}

impl RetryConfig {
    /// The delay tiers as durations.
    pub fn delays(&self) -> Vec<std::time::Duration> {
        self.delays_ms.iter().map(|ms| std::time::Duration::from_millis(*ms)).collect()
    }
}

/// Where document bytes are kept.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct BlobConfig {
    /// A folder path or `file://` URL (`memory://` for tests). Env: `TAMIS_BLOB_URL`.
    /// Default `./tamis-blobs`.
    pub url: String,
}

impl Default for BlobConfig {
    fn default() -> Self {
        BlobConfig { url: "./tamis-blobs".into() }
    }
}

/// How much work a process does at once.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct WorkersConfig {
    /// Tesseract engines (and documents OCRed at once). Env: `TAMIS_OCR_ENGINES`.
    /// Default: the number of cores.
    pub ocr_engines: usize,
    /// Listen address (`ip:port`) of the ops server of `tamis worker` (`/healthz`, `/readyz`,
    /// `/metrics`). Env: `TAMIS_HEALTH_ADDR`. Default `0.0.0.0:9090`; port 0 picks a free port.
    pub health_addr: String,
    /// Seconds a worker has to finish in-flight work after SIGTERM. Default 30.
    pub shutdown_grace_secs: u64,
}

impl Default for WorkersConfig {
    fn default() -> Self {
        WorkersConfig {
            ocr_engines: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            health_addr: crate::ops::DEFAULT_ADDR.into(),
            shutdown_grace_secs: 30,
        }
    }
}

/// Bounds on what an input may cost; over them the input is rejected with a reason code.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Largest file accepted, bytes. Default 50 MiB.
    pub max_file_bytes: u64,
    /// Most pages in one file. Default 30.
    pub max_pages: u32,
    /// Most pixels in one decoded page image. Default 100 million.
    pub max_page_pixels: u64,
    /// Most pixels of all the pages of one file together, read from the headers before any page
    /// is decoded (pages are then decoded one at a time). Default 600 million.
    pub max_file_pixels: u64,
    /// Most bytes the decoding of one page may hold (the decoder's output in its own colour
    /// layout plus the grey copy OCR reads), read from the header before decoding. Default 200 MiB.
    pub max_page_bytes: u64,
    /// Seconds of OCR one page may take. Default 60.
    pub page_timeout_secs: u64,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            max_file_bytes: 50 << 20,
            max_pages: 30,
            max_page_pixels: 100_000_000,
            max_file_pixels: 600_000_000,
            max_page_bytes: 200 << 20,
            page_timeout_secs: 60,
        }
    }
}

/// The review console: who may sign in and how long things last.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ConsoleConfig {
    /// Users file (TOML: `[[users]]` with `name`, `role` = viewer|reviewer|admin and an argon2
    /// `password_hash` from `tamis console hash-password`). Env: `TAMIS_CONSOLE_USERS`. Default none.
    pub users_file: Option<PathBuf>,
    /// Request header holding the login a trusted reverse proxy authenticated (e.g.
    /// `X-Forwarded-User`); the role still comes from the users file. Env:
    /// `TAMIS_CONSOLE_TRUSTED_HEADER`. Default none: off, only passwords sign in.
    pub trusted_user_header: Option<String>,
    /// Mark cookies `Secure` (sent over HTTPS only; browsers also accept them on localhost).
    /// Default true.
    pub secure_cookies: bool,
    /// Minutes a session lasts without activity. Default 480.
    pub session_minutes: u64,
    /// File holding the key that seals session cookies (64 hex characters, e.g. from
    /// `openssl rand -hex 32`): every replica given the same file reads the sessions of the
    /// others. Env: `TAMIS_CONSOLE_SESSION_KEY_FILE`. Default none: a random key per process, so
    /// sessions end with the process and hold on one replica only.
    pub session_key_file: Option<PathBuf>,
    /// Seconds a reviewer may hold an item untouched before it goes back to its queue. Default 900.
    pub lease_secs: u64,
    /// Most documents the console follows from the journal to tell queue ages (about 100 bytes
    /// each); past it, the longest-waiting are forgotten and their queues' age shows as unknown.
    /// Default 200000.
    pub journal_max_documents: usize,
    /// Addresses (`10.0.0.7`) or networks (`10.0.0.0/8`, `fd00::/8`) of the reverse proxies in
    /// front of the console. When set, only requests whose TCP peer is one of them may carry the
    /// trusted user header or the client address header: anyone else who reaches the console
    /// directly cannot claim a login or an address. Env: `TAMIS_CONSOLE_TRUSTED_PROXIES`
    /// (comma-separated). Default none: the user header is honoured from any peer (then only the
    /// proxy must reach the console: the chart's NetworkPolicy), the address header never.
    pub trusted_proxies: Vec<String>,
    /// Request header in which the trusted proxies put the client's address (`X-Forwarded-For`),
    /// used for per-address sign-in throttling; honoured only from `trusted_proxies`, which it
    /// requires. Env: `TAMIS_CONSOLE_CLIENT_ADDRESS_HEADER`. Default none: the TCP peer's address.
    pub client_address_header: Option<String>,
    /// `Strict-Transport-Security: max-age` in seconds on every response; 0 sends no header.
    /// Browsers ignore it over plain HTTP. Default 31536000 (one year).
    pub hsts_max_age_secs: u64,
    /// Sign-in throttling and the bound on concurrent password checks.
    pub login: LoginLimits,
}

/// How hard the console makes password guessing. Each failure counts against the account name
/// typed and against the source address; past `*_backoff_after` failures the next attempt must
/// wait `backoff_secs`, doubling with each further failure; at `*_lockout_after` failures the
/// account or address is refused for `lockout_secs` (`429` with `Retry-After`). Failures are
/// forgotten `lockout_secs` after the last one, and an account's on a successful sign-in.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LoginLimits {
    /// Failures for one account name before backoff. Default 3.
    pub account_backoff_after: u32,
    /// Failures for one account name before a lockout. Default 10.
    pub account_lockout_after: u32,
    /// Failures from one source address before backoff (an office behind one NAT shares it).
    /// Default 10.
    pub address_backoff_after: u32,
    /// Failures from one source address before a lockout. Default 50.
    pub address_lockout_after: u32,
    /// First backoff delay, seconds; doubles with each further failure. Default 1.
    pub backoff_secs: u64,
    /// How long a lockout lasts, and how long failures are remembered, seconds. Default 900.
    pub lockout_secs: u64,
    /// Password checks (argon2id, about 19 MiB each) running at once; the console's memory
    /// follows from it. Default 2.
    pub max_concurrent_hashes: usize,
    /// How long a sign-in waits for a free password check before `503` with `Retry-After`,
    /// milliseconds. Default 2000.
    pub hash_wait_ms: u64,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            account_backoff_after: 3,
            account_lockout_after: 10,
            address_backoff_after: 10,
            address_lockout_after: 50,
            backoff_secs: 1,
            lockout_secs: 900,
            max_concurrent_hashes: 2,
            hash_wait_ms: 2000,
        }
    }
}

/// A reverse proxy's address or network, from `console.trusted_proxies`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProxyNet {
    addr: std::net::IpAddr,
    prefix: u8,
}

impl ProxyNet {
    /// `10.0.0.7`, `10.0.0.0/8`, `::1` or `fd00::/8`; `None` if it is none of these.
    pub fn parse(s: &str) -> Option<ProxyNet> {
        let (a, p) = s.trim().split_once('/').map_or((s.trim(), None), |(a, p)| (a, Some(p)));
        let addr: std::net::IpAddr = a.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            Some(p) if p.chars().all(|c| c.is_ascii_digit()) => p.parse::<u8>().ok().filter(|n| *n <= max)?,
            Some(_) => return None,
            None => max,
        };
        Some(ProxyNet { addr, prefix })
    }

    /// Whether `ip` is in this network (an IPv4-mapped IPv6 peer counts as its IPv4 address).
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr;
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        let bits = |a: IpAddr| -> u128 {
            match a {
                IpAddr::V4(v) => u32::from(v) as u128,
                IpAddr::V6(v) => u128::from(v),
            }
        };
        let width = if self.addr.is_ipv4() { 32 } else { 128 };
        if ip.is_ipv4() != self.addr.is_ipv4() {
            return false;
        }
        let shift = width - self.prefix as u32;
        shift >= width || bits(ip) >> shift == bits(self.addr) >> shift
    }
}

impl ConsoleConfig {
    /// The parsed `trusted_proxies` (validated at start-up, so none is dropped).
    pub fn proxy_nets(&self) -> Vec<ProxyNet> {
        self.trusted_proxies.iter().filter_map(|p| ProxyNet::parse(p)).collect()
    }
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        ConsoleConfig {
            users_file: None,
            trusted_user_header: None,
            secure_cookies: true,
            session_minutes: 480,
            session_key_file: None,
            lease_secs: 900,
            journal_max_documents: 200_000,
            trusted_proxies: Vec::new(),
            client_address_header: None,
            hsts_max_age_secs: 31_536_000,
            login: LoginLimits::default(),
        }
    }
}

/// The HTTP intake (`tamis api`): who may call it. Uploads are bounded by `limits.max_file_bytes`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ApiConfig {
    /// Clients file (TOML: `[[clients]]` with `name` and `token_sha256`, the lower-case hex
    /// SHA-256 of the client's bearer token). Env: `TAMIS_API_CLIENTS`. Default none; `tamis api`
    /// refuses to start without it.
    pub clients_file: Option<PathBuf>,
}

/// A configuration that cannot be used; the process stops before doing any work.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("config file {path} is not valid: {source}")]
    Parse { path: PathBuf, source: Box<toml::de::Error> },
    #[error("environment variable {name} is not valid: {message}")]
    Env { name: &'static str, message: String },
    #[error("invalid setting {setting}: {message}")]
    Invalid { setting: &'static str, message: String },
}

impl Config {
    /// Loads defaults, then `file` (or `TAMIS_CONFIG`), then the environment, and validates.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        Self::load_from(file, |k| std::env::var(k).ok())
    }

    /// As `load`, with the environment given as a function (for tests).
    pub fn load_from(file: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let from_env = env("TAMIS_CONFIG").map(PathBuf::from);
        let path = file.map(Path::to_path_buf).or(from_env);
        let mut config = match &path {
            Some(p) => {
                let text =
                    std::fs::read_to_string(p).map_err(|source| ConfigError::Read { path: p.clone(), source })?;
                toml::from_str(&text).map_err(|e| ConfigError::Parse { path: p.clone(), source: Box::new(e) })?
            }
            None => Config::default(),
        };
        if let Some(v) = env("TAMIS_AMQP_URL") {
            config.amqp.url = v;
        }
        if let Some(v) = env("TAMIS_AMQP_URL_FILE").filter(|v| !v.is_empty()) {
            config.amqp.url_file = Some(PathBuf::from(v));
        }
        if let Some(p) = &config.amqp.url_file {
            // The file's content is a secret: the error names the file, never what it holds.
            let text = std::fs::read_to_string(p).map_err(|source| ConfigError::Read { path: p.clone(), source })?;
            config.amqp.url = text.trim().to_string();
        }
        if let Some(v) = env("TAMIS_AMQP_CA_FILE").filter(|v| !v.is_empty()) {
            config.amqp.ca_file = Some(PathBuf::from(v));
        }
        if let Some(v) = env("TAMIS_RETRY_DELAYS_MS") {
            config.retry.delays_ms =
                v.split(',').map(|d| d.trim().parse::<u64>()).collect::<Result<_, _>>().map_err(|_| {
                    ConfigError::Env {
                        name: "TAMIS_RETRY_DELAYS_MS",
                        message: "expected milliseconds separated by commas, e.g. 1000,5000,30000".into(),
                    }
                })?;
        }
        if let Some(v) = env("TAMIS_RETRY_ATTEMPTS") {
            config.retry.max_attempts = v.parse().map_err(|_| ConfigError::Env {
                name: "TAMIS_RETRY_ATTEMPTS",
                message: "expected a whole number".into(),
            })?;
        }
        if let Some(v) = env("TAMIS_AMQP_PREFIX") {
            config.amqp.prefix = v;
        }
        if let Some(v) = env("TAMIS_PREFETCH") {
            config.amqp.prefetch = v
                .parse()
                .map_err(|_| ConfigError::Env { name: "TAMIS_PREFETCH", message: "expected 1..65535".into() })?;
        }
        if let Some(v) = env("TAMIS_BLOB_URL") {
            config.blob.url = v;
        }
        for (name, days) in [
            ("TAMIS_RETENTION_DOCUMENTS_DAYS", &mut config.retention.documents_days),
            ("TAMIS_RETENTION_AUDIT_DAYS", &mut config.retention.audit_days),
        ] {
            if let Some(v) = env(name) {
                *days = v
                    .parse()
                    .map_err(|_| ConfigError::Env { name, message: "expected a whole number of days".into() })?;
            }
        }
        if let Some(v) = env("TAMIS_OCR_ENGINES") {
            config.workers.ocr_engines = v.parse().map_err(|_| ConfigError::Env {
                name: "TAMIS_OCR_ENGINES",
                message: "expected a whole number".into(),
            })?;
        }
        if let Some(v) = env("TAMIS_HEALTH_ADDR") {
            config.workers.health_addr = v;
        }
        if let Some(v) = env("TAMIS_TAXONOMY") {
            config.taxonomy = Some(PathBuf::from(v));
        }
        if let Some(v) = env("TAMIS_POLICY") {
            config.policy = Some(PathBuf::from(v));
        }
        if let Some(v) = env("TAMIS_2DDOC_TRUST_LIST").filter(|v| !v.is_empty()) {
            config.twoddoc_trust_list = Some(PathBuf::from(v));
        }
        if let Some(v) = env("TAMIS_CONSOLE_USERS").filter(|v| !v.is_empty()) {
            config.console.users_file = Some(PathBuf::from(v));
        }
        if let Some(v) = env("TAMIS_CONSOLE_SESSION_KEY_FILE").filter(|v| !v.is_empty()) {
            config.console.session_key_file = Some(PathBuf::from(v));
        }
        if let Some(v) = env("TAMIS_CONSOLE_TRUSTED_HEADER").filter(|v| !v.is_empty()) {
            config.console.trusted_user_header = Some(v);
        }
        if let Some(v) = env("TAMIS_CONSOLE_TRUSTED_PROXIES").filter(|v| !v.trim().is_empty()) {
            config.console.trusted_proxies = v.split(',').map(|p| p.trim().to_string()).collect();
        }
        if let Some(v) = env("TAMIS_CONSOLE_CLIENT_ADDRESS_HEADER").filter(|v| !v.is_empty()) {
            config.console.client_address_header = Some(v);
        }
        if let Some(v) = env("TAMIS_API_CLIENTS").filter(|v| !v.is_empty()) {
            config.api.clients_file = Some(PathBuf::from(v));
        }
        config.validate()?;
        Ok(config)
    }

    /// Checks every setting; the error names the setting and what is allowed.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |setting, message: &str| Err(ConfigError::Invalid { setting, message: message.into() });
        if !(self.amqp.url.starts_with("amqp://") || self.amqp.url.starts_with("amqps://")) {
            return bad("amqp.url", "must start with amqp:// or amqps://");
        }
        if self.amqp.prefetch == 0 {
            return bad("amqp.prefetch", "must be at least 1");
        }
        if self.amqp.delivery_limit == 0 {
            return bad("amqp.delivery_limit", "must be at least 1");
        }
        if self.amqp.prefix.is_empty() || self.amqp.prefix.contains(|c: char| c.is_whitespace() || c == '#' || c == '*')
        {
            return bad("amqp.prefix", "must be a non-empty name without spaces, '#' or '*'");
        }
        if let Some(p) = &self.amqp.ca_file {
            if !p.is_file() {
                return bad("amqp.ca_file", "must name a readable PEM file");
            }
        }
        let age = &self.amqp.journal_max_age;
        let (number, unit) = age.split_at(age.len().saturating_sub(1));
        if !(matches!(unit, "Y" | "M" | "D" | "h" | "m" | "s")
            && number.parse::<u32>().is_ok_and(|n| n > 0)
            && number.chars().all(|c| c.is_ascii_digit()))
        {
            return bad(
                "amqp.journal_max_age",
                "must be a number above zero and a unit Y, M, D, h, m or s, such as 7D",
            );
        }
        if self.amqp.journal_max_bytes < 10_000_000 {
            return bad("amqp.journal_max_bytes", "must be at least 10 MB (10000000)");
        }
        if self.amqp.reconnect_max_secs == 0 {
            return bad("amqp.reconnect_max_secs", "must be at least 1");
        }
        if self.retry.delays_ms.is_empty() || self.retry.delays_ms.iter().any(|d| *d == 0 || *d > 86_400_000) {
            return bad("retry.delays_ms", "must list at least one delay, each from 1 ms to 1 day");
        }
        if self.retry.max_attempts == 0 {
            return bad("retry.max_attempts", "must be at least 1");
        }
        if self.blob.url.trim().is_empty() {
            return bad("blob.url", "must name a folder or a URL");
        }
        if self.retention.audit_days < self.retention.documents_days {
            // The outcome record is what lets a purge find the bytes: it must outlive them.
            return bad("retention.audit_days", "must be at least retention.documents_days");
        }
        if self.retention.audit_days > 36_500 {
            return bad("retention.audit_days", "must be at most 36500 (100 years)");
        }
        if self.workers.ocr_engines == 0 || self.workers.ocr_engines > 64 {
            return bad("workers.ocr_engines", "must be between 1 and 64");
        }
        if self.workers.health_addr.parse::<std::net::SocketAddr>().is_err() {
            return bad("workers.health_addr", "must be an ip:port address such as 0.0.0.0:9090");
        }
        let l = &self.limits;
        if [l.max_pages as u64, l.max_file_bytes, l.max_page_pixels, l.max_file_pixels, l.max_page_bytes].contains(&0) {
            return bad("limits", "every limit must be above zero");
        }
        if l.max_file_pixels < l.max_page_pixels {
            return bad("limits.max_file_pixels", "must be at least limits.max_page_pixels (one page must fit)");
        }
        if self.console.session_minutes == 0 || self.console.lease_secs < 30 {
            return bad("console", "session_minutes must be above zero and lease_secs at least 30");
        }
        if self.console.journal_max_documents < 1_000 {
            return bad("console.journal_max_documents", "must be at least 1000");
        }
        if let Some(p) = self.console.trusted_proxies.iter().find(|p| ProxyNet::parse(p).is_none()) {
            return Err(ConfigError::Invalid {
                setting: "console.trusted_proxies",
                message: format!("{p:?} is not an IP address or network such as 10.0.0.0/8"),
            });
        }
        if self.console.client_address_header.is_some() && self.console.trusted_proxies.is_empty() {
            return bad(
                "console.client_address_header",
                "needs console.trusted_proxies: a header any client can set must not decide its address",
            );
        }
        let l = &self.console.login;
        if l.account_backoff_after == 0 || l.address_backoff_after == 0 {
            return bad("console.login", "account_backoff_after and address_backoff_after must be at least 1");
        }
        if l.account_lockout_after < l.account_backoff_after || l.address_lockout_after < l.address_backoff_after {
            return bad("console.login", "each *_lockout_after must be at least its *_backoff_after");
        }
        if l.backoff_secs == 0 || l.lockout_secs == 0 || l.lockout_secs > 86_400 || l.backoff_secs > l.lockout_secs {
            return bad(
                "console.login",
                "backoff_secs and lockout_secs must be 1 s to 1 day, backoff_secs the smaller",
            );
        }
        if !(1..=64).contains(&l.max_concurrent_hashes) || l.hash_wait_ms > 60_000 {
            return bad("console.login", "max_concurrent_hashes must be 1 to 64 and hash_wait_ms at most 60000");
        }
        Ok(())
    }
}

/// The URL with any password replaced, safe to log.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..s], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_env_overrides_them() {
        let c = Config::load_from(None, |_| None).unwrap();
        assert_eq!(c.amqp.url, "amqp://guest:guest@127.0.0.1:5672/%2f");
        let c = Config::load_from(None, |k| match k {
            "TAMIS_AMQP_URL" => Some("amqps://u:p@broker:5671/v".into()),
            "TAMIS_OCR_ENGINES" => Some("3".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.amqp.url, "amqps://u:p@broker:5671/v");
        assert_eq!(c.workers.ocr_engines, 3);
    }

    #[test]
    fn bad_settings_are_refused_with_their_name() {
        let e = Config::load_from(None, |k| (k == "TAMIS_AMQP_URL").then(|| "http://x".to_string())).unwrap_err();
        assert!(e.to_string().contains("amqp.url"), "{e}");
        let e = Config::load_from(None, |k| (k == "TAMIS_OCR_ENGINES").then(|| "many".to_string())).unwrap_err();
        assert!(e.to_string().contains("TAMIS_OCR_ENGINES"), "{e}");
    }

    #[test]
    fn config_file_is_read_and_unknown_keys_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("tamis.toml");
        std::fs::write(&p, "[amqp]\nprefetch = 9\n").unwrap();
        assert_eq!(Config::load_from(Some(&p), |_| None).unwrap().amqp.prefetch, 9);
        std::fs::write(&p, "[amqp]\njournal_max_age = \"36h\"\n").unwrap();
        assert_eq!(Config::load_from(Some(&p), |_| None).unwrap().amqp.journal_retention().max_age, "36h");
        for bad in ["7", "7d", "0D", "D", "-1D", "1.5h", "7 D"] {
            std::fs::write(&p, format!("[amqp]\njournal_max_age = \"{bad}\"\n")).unwrap();
            let e = Config::load_from(Some(&p), |_| None).unwrap_err();
            assert!(e.to_string().contains("amqp.journal_max_age"), "{bad}: {e}");
        }
        std::fs::write(&p, "[amqp]\nprefech = 9\n").unwrap();
        assert!(matches!(Config::load_from(Some(&p), |_| None), Err(ConfigError::Parse { .. })));
    }

    #[test]
    fn url_comes_from_a_secret_file_and_retry_tiers_from_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("amqp-url");
        std::fs::write(&secret, "amqps://svc:hunter2@broker:5671/prod\n").unwrap();
        let c = Config::load_from(None, |k| match k {
            "TAMIS_AMQP_URL" => Some("amqp://guest:guest@elsewhere/%2f".into()),
            "TAMIS_AMQP_URL_FILE" => Some(secret.to_string_lossy().into_owned()),
            "TAMIS_RETRY_DELAYS_MS" => Some("200, 1000".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.amqp.url, "amqps://svc:hunter2@broker:5671/prod", "the file wins and is trimmed");
        assert!(!format!("{c:?}").contains("hunter2"));
        assert_eq!(c.retry.delays(), [std::time::Duration::from_millis(200), std::time::Duration::from_secs(1)]);
        let e = Config::load_from(None, |k| (k == "TAMIS_RETRY_DELAYS_MS").then(|| "1s".to_string())).unwrap_err();
        assert!(e.to_string().contains("TAMIS_RETRY_DELAYS_MS"), "{e}");
        let e = Config::load_from(None, |k| (k == "TAMIS_AMQP_CA_FILE").then(|| "/nonexistent/ca.pem".to_string()))
            .unwrap_err();
        assert!(e.to_string().contains("amqp.ca_file"), "{e}");
    }

    #[test]
    fn console_proxies_and_login_limits_are_checked() {
        let c = Config::load_from(None, |k| match k {
            "TAMIS_CONSOLE_TRUSTED_PROXIES" => Some("10.0.0.0/8, ::1".into()),
            "TAMIS_CONSOLE_CLIENT_ADDRESS_HEADER" => Some("X-Forwarded-For".into()),
            _ => None,
        })
        .unwrap();
        let nets = c.console.proxy_nets();
        assert_eq!(nets.len(), 2);
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        assert!(nets[0].contains(ip("10.200.3.4")) && !nets[0].contains(ip("11.0.0.1")));
        assert!(nets[0].contains(ip("::ffff:10.1.2.3")), "an IPv4-mapped peer is its IPv4 address");
        assert!(nets[1].contains(ip("::1")) && !nets[1].contains(ip("127.0.0.1")));
        assert!(ProxyNet::parse("0.0.0.0/0").unwrap().contains(ip("203.0.113.9")));
        for bad in ["10.0.0.0/33", "10.0.0.0/x", "proxy.local", "10.0.0.0/+8", ""] {
            assert!(ProxyNet::parse(bad).is_none(), "{bad}");
        }
        let e = Config::load_from(None, |k| (k == "TAMIS_CONSOLE_TRUSTED_PROXIES").then(|| "nginx".to_string()))
            .unwrap_err();
        assert!(e.to_string().contains("console.trusted_proxies"), "{e}");
        let e =
            Config::load_from(None, |k| (k == "TAMIS_CONSOLE_CLIENT_ADDRESS_HEADER").then(|| "X-Real-IP".to_string()))
                .unwrap_err();
        assert!(e.to_string().contains("console.client_address_header"), "{e}");
        let mut c = Config::default();
        assert_eq!(c.console.login.max_concurrent_hashes, 2);
        c.console.login.account_lockout_after = 1;
        assert!(c.validate().unwrap_err().to_string().contains("console.login"));
        c.console.login = LoginLimits { max_concurrent_hashes: 0, ..LoginLimits::default() };
        assert!(c.validate().unwrap_err().to_string().contains("console.login"));
    }

    #[test]
    fn passwords_never_show_in_debug_output() {
        let mut c = Config::default();
        c.amqp.url = "amqp://user:s3cret@host/v".into();
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("user:***@host"));
    }
}
