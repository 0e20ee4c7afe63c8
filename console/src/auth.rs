//! Who may use the console: users from a file with argon2 password hashes (or a login vouched for
//! by a trusted reverse proxy), roles limited to document types, sessions in an encrypted cookie
//! any replica can read, and the CSRF token every state-changing request must carry.
//!
//! Password guessing. Failure: each argon2id check takes about 19 MiB for tens of milliseconds,
//! so 48 parallel wrong passwords once took the console from 170 MB to 1.4 GB, without ever
//! slowing the guesser down. Evidence: `tests/security.rs` (peak RSS from `/proc/PID/status`
//! through 48 parallel wrong sign-ins; `429` with `Retry-After` past the limits). Fix: checks run
//! on a fixed pool of `console.login.max_concurrent_hashes` threads, each reusing one memory
//! buffer ([`Hasher`]), so the memory they take is bounded by construction; a sign-in that cannot
//! get a thread within `hash_wait_ms` gets `503`. Before any check, [`Throttle`] counts failures
//! per account name and per source address: backoff, then lockout, answered without hashing.
use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand_core::{OsRng, RngCore};
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;
use tamis_shared::config::LoginLimits;
use tamis_shared::DocumentType;

/// What a user may do; each role includes the ones before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sees the dashboard only (no personal data).
    Viewer,
    /// Also reviews documents (sees their content) and decides.
    Reviewer,
    /// Everything a reviewer does, and sees every document's history and audit.
    Admin,
}

impl Role {
    /// The role as written in the users file.
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
        }
    }
}

/// The document types a user's role covers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Scope {
    /// Every type (no `types` in the users file: what every user had before scopes).
    #[default]
    All,
    /// These types only.
    Only(BTreeSet<DocumentType>),
}

impl Scope {
    /// Whether documents of type `t` are within the scope.
    pub fn allows(&self, t: &DocumentType) -> bool {
        match self {
            Scope::All => true,
            Scope::Only(types) => types.contains(t),
        }
    }
}

/// One configured user.
#[derive(Clone, Debug)]
pub struct User {
    pub name: String,
    pub role: Role,
    /// The types the role covers (reviewers and admins; `types = [...]` in the users file).
    pub scope: Scope,
    /// Argon2 PHC string; absent for users who only sign in through the trusted proxy.
    pub password_hash: Option<String>,
}

/// A user as written in the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserEntry {
    name: String,
    role: Role,
    /// Document type names (`payslip`, `tax_notice`...); absent: every type.
    #[serde(default)]
    types: Option<Vec<String>>,
    #[serde(default)]
    password_hash: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UsersFile {
    #[serde(default)]
    users: Vec<UserEntry>,
}

/// A users file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum UsersError {
    #[error("cannot read the console users file {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("the console users file {path} is not valid: {message}")]
    Invalid { path: String, message: String },
}

/// The configured users, by name.
#[derive(Clone, Debug, Default)]
pub struct Users(HashMap<String, User>);

impl Users {
    /// Reads and checks a users file: unique names, parseable argon2 hashes.
    pub fn from_path(path: &Path) -> Result<Users, UsersError> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| UsersError::Io { path: p.clone(), source })?;
        Users::from_toml(&text).map_err(|message| UsersError::Invalid { path: p, message })
    }

    /// Parses the TOML text of a users file.
    pub fn from_toml(text: &str) -> Result<Users, String> {
        let f: UsersFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut map = HashMap::new();
        for e in f.users {
            if e.name.trim().is_empty() {
                return Err("a user has an empty name".into());
            }
            if let Some(h) = &e.password_hash {
                PasswordHash::new(h)
                    .map_err(|err| format!("user {}: password_hash is not an argon2 hash ({err})", e.name))?;
            }
            let scope = match e.types {
                None => Scope::All,
                Some(_) if e.role == Role::Viewer => {
                    return Err(format!(
                        "user {}: types limits a reviewer or an admin; a viewer sees no document (remove types)",
                        e.name
                    ))
                }
                Some(names) if names.is_empty() => {
                    return Err(format!(
                        "user {}: types is empty; name the document types the role covers, or remove types for all",
                        e.name
                    ))
                }
                Some(names) => Scope::Only(
                    names
                        .iter()
                        .map(|n| {
                            n.parse::<DocumentType>()
                                .map_err(|_| format!("user {}: {n:?} in types is not a document type name", e.name))
                        })
                        .collect::<Result<_, _>>()?,
                ),
            };
            let u = User { name: e.name, role: e.role, scope, password_hash: e.password_hash };
            if map.insert(u.name.clone(), u.clone()).is_some() {
                return Err(format!("user {} appears twice", u.name));
            }
        }
        Ok(Users(map))
    }

    /// Checks that every type a user is scoped to exists in the taxonomy (a misspelt type would
    /// silently leave the reviewer with an empty inbox).
    pub fn check_types(&self, known: impl Fn(&DocumentType) -> bool) -> Result<(), String> {
        let mut names: Vec<&String> = self.0.keys().collect();
        names.sort();
        for name in names {
            if let Scope::Only(types) = &self.0[name].scope {
                if let Some(t) = types.iter().find(|t| !known(t)) {
                    return Err(format!("user {name}: type {t} in types is not in the taxonomy"));
                }
            }
        }
        Ok(())
    }

    /// The user if the password matches its hash. Unknown users cost a hash too, so timing does
    /// not reveal which logins exist.
    pub fn verify(&self, name: &str, password: &str) -> Option<&User> {
        self.verify_with(name, password, &mut Vec::new())
    }

    /// As [`Users::verify`], with `memory` as argon2's working memory (grown when too small and
    /// kept by the caller, so that a pool thread allocates it once).
    pub fn verify_with(&self, name: &str, password: &str, memory: &mut Vec<Block>) -> Option<&User> {
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let dummy = DUMMY.get_or_init(|| hash_password("not a password").unwrap_or_default());
        let user = self.0.get(name);
        let hash = user.and_then(|u| u.password_hash.as_deref()).unwrap_or(dummy);
        let ok = PasswordHash::new(hash).map(|h| password_matches(&h, password.as_bytes(), memory)).unwrap_or(false);
        user.filter(|u| ok && u.password_hash.is_some())
    }

    /// A configured user by name (for identities from the trusted proxy).
    pub fn get(&self, name: &str) -> Option<&User> {
        self.0.get(name)
    }
}

/// The argon2id PHC string of a password, for the users file.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Argon2 verification of `password` against a PHC string, in `memory` (what
/// `PasswordVerifier::verify_password` does, minus its allocation of the whole working memory on
/// every call).
fn password_matches(hash: &PasswordHash<'_>, password: &[u8], memory: &mut Vec<Block>) -> bool {
    let (Ok(algorithm), Ok(params), Some(salt), Some(expected)) =
        (Algorithm::try_from(hash.algorithm), Params::try_from(hash), hash.salt, hash.hash)
    else {
        return false;
    };
    let version = match hash.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else { return false };
    let argon = Argon2::new(algorithm, version, params);
    let blocks = argon.params().block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    argon.hash_password_into_with_memory(password, salt, &mut out, &mut memory[..blocks]).is_ok()
        && bool::from(out.as_slice().ct_eq(expected.as_bytes()))
}

/// No password check could start within `console.login.hash_wait_ms`: every pool thread is busy.
#[derive(Debug)]
pub struct Busy;

type HashJob = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

/// A fixed pool of threads for password checks. A semaphore admits at most one check per
/// thread, so the argon2 memory in use is at most `threads` working buffers, whatever the number
/// of parallel sign-ins; each thread keeps its buffer (no allocator churn, no arena per blocking
/// thread keeping freed buffers resident).
pub struct Hasher {
    permits: Arc<tokio::sync::Semaphore>,
    jobs: std::sync::mpsc::SyncSender<HashJob>,
    wait: Duration,
}

impl Hasher {
    /// Starts `threads` threads; a check waits at most `wait` for one. They end with the Hasher.
    pub fn new(threads: usize, wait: Duration) -> Hasher {
        let threads = threads.max(1);
        let (jobs, rx) = std::sync::mpsc::sync_channel::<HashJob>(threads);
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new().name(format!("console-hash-{i}")).spawn(move || {
                let mut memory = Vec::new();
                loop {
                    // The lock is held only while waiting for the next job, never while hashing.
                    let job = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    match job {
                        // A panic must not shrink the pool: the job's permit and reply are
                        // dropped while unwinding (the sign-in gets 503), the thread goes on.
                        Ok(job) => {
                            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut memory))).is_err() {
                                memory = Vec::new();
                            }
                        }
                        Err(_) => break,
                    }
                }
            });
            if let Err(e) = spawned {
                tracing::warn!(error = %e, "cannot start a password-check thread; fewer checks run at once");
            }
        }
        Hasher { permits: Arc::new(tokio::sync::Semaphore::new(threads)), jobs, wait }
    }

    /// The user named `name` if `password` is theirs, checked on a pool thread.
    pub async fn verify(&self, users: Arc<Users>, name: String, password: String) -> Result<Option<User>, Busy> {
        let permit = match tokio::time::timeout(self.wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(p)) => p,
            _ => return Err(Busy),
        };
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: HashJob = Box::new(move |memory| {
            let user = users.verify_with(&name, &password, memory).cloned();
            drop(permit);
            let _ = tx.send(user);
        });
        // Never blocks: the channel holds as many jobs as there are permits.
        self.jobs.try_send(job).map_err(|_| Busy)?;
        rx.await.map_err(|_| Busy)
    }
}

/// Failures remembered for one account name or one source address.
#[derive(Debug, Default)]
struct Record {
    failures: u32,
    /// Checks under way: they count as failures to come, so a burst of parallel guesses cannot
    /// all pass before the first one is counted.
    in_flight: u32,
    last: Option<Instant>,
    /// No attempt before this instant.
    until: Option<Instant>,
    locked: bool,
}

impl Record {
    /// Forgets what has expired: a finished lockout, or failures older than the lockout window.
    fn expire(&mut self, now: Instant, window: Duration) {
        let lockout_over = self.locked && self.until.is_some_and(|u| u <= now);
        let quiet = self.last.is_none_or(|l| now.duration_since(l) >= window);
        if self.in_flight == 0 && (lockout_over || quiet) {
            *self = Record::default();
        }
    }

    /// Whether an attempt may start now (else how long to wait), given (backoff_after, base).
    fn check(&self, now: Instant, backoff_after: u32, base: Duration) -> Result<(), Duration> {
        if let Some(u) = self.until.filter(|u| *u > now) {
            return Err(u - now);
        }
        if self.failures + self.in_flight >= backoff_after && self.in_flight > 0 {
            return Err(base);
        }
        Ok(())
    }

    /// Counts a failure; returns whether it started a lockout.
    fn fail(&mut self, now: Instant, backoff_after: u32, lockout_after: u32, l: &LoginLimits) -> bool {
        self.failures += 1;
        self.last = Some(now);
        let lockout = Duration::from_secs(l.lockout_secs);
        if self.failures >= lockout_after {
            let started = !self.locked;
            self.locked = true;
            self.until = Some(now + lockout);
            started
        } else {
            if self.failures >= backoff_after {
                let doublings = (self.failures - backoff_after).min(20);
                let wait = Duration::from_secs(l.backoff_secs.saturating_mul(1 << doublings)).min(lockout);
                self.until = Some(now + wait);
            }
            false
        }
    }
}

/// Most account names and most addresses remembered; past it the least recently failed go first.
const MAX_TRACKED: usize = 10_000;

#[derive(Default)]
struct Tracked {
    accounts: HashMap<String, Record>,
    addresses: HashMap<IpAddr, Record>,
}

fn record<'a, K: std::hash::Hash + Eq + Clone>(
    map: &'a mut HashMap<K, Record>,
    key: &K,
    now: Instant,
    window: Duration,
) -> &'a mut Record {
    if !map.contains_key(key) && map.len() >= MAX_TRACKED {
        map.retain(|_, r| {
            r.expire(now, window);
            r.in_flight > 0 || r.failures > 0
        });
        if map.len() >= MAX_TRACKED {
            let oldest =
                map.iter().filter(|(_, r)| r.in_flight == 0).min_by_key(|(_, r)| r.last).map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                map.remove(&k);
            }
        }
    }
    let r = map.entry(key.clone()).or_default();
    r.expire(now, window);
    r
}

/// Sign-in failures per account name and per source address (see [`LoginLimits`]).
pub struct Throttle {
    limits: LoginLimits,
    tracked: Mutex<Tracked>,
}

/// Why a sign-in attempt was not even checked, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    pub retry_after: Duration,
    /// The account name (not the address) is what is throttled.
    pub account: bool,
}

impl Throttled {
    /// `Retry-After`, in whole seconds, at least 1.
    pub fn retry_after_secs(&self) -> u64 {
        self.retry_after.as_millis().div_ceil(1000).max(1) as u64
    }
}

/// A sign-in attempt admitted by the throttle; say how it ended, or drop it if it never got checked.
pub struct Attempt<'a> {
    throttle: &'a Throttle,
    account: String,
    address: IpAddr,
    done: bool,
}

/// What a failure left behind, for the log line.
#[derive(Debug, Clone, Copy)]
pub struct Failure {
    pub account_failures: u32,
    pub address_failures: u32,
    pub lockout_started: bool,
}

impl Throttle {
    pub fn new(limits: LoginLimits) -> Throttle {
        Throttle { limits, tracked: Mutex::new(Tracked::default()) }
    }

    fn window(&self) -> Duration {
        Duration::from_secs(self.limits.lockout_secs)
    }

    /// Admits an attempt for `account` from `address`, or says how long to wait.
    pub fn begin(&self, account: &str, address: IpAddr) -> Result<Attempt<'_>, Throttled> {
        let l = &self.limits;
        let (now, window, base) = (Instant::now(), self.window(), Duration::from_secs(l.backoff_secs));
        let account = account.chars().take(128).collect::<String>();
        let mut t = self.tracked.lock().unwrap_or_else(|e| e.into_inner());
        let a = record(&mut t.accounts, &account, now, window).check(now, l.account_backoff_after, base);
        let b = record(&mut t.addresses, &address, now, window).check(now, l.address_backoff_after, base);
        match (a, b) {
            (Ok(()), Ok(())) => {}
            (Err(x), Err(y)) => return Err(Throttled { retry_after: x.max(y), account: x >= y }),
            (Err(x), _) => return Err(Throttled { retry_after: x, account: true }),
            (_, Err(y)) => return Err(Throttled { retry_after: y, account: false }),
        }
        t.accounts.entry(account.clone()).or_default().in_flight += 1;
        t.addresses.entry(address).or_default().in_flight += 1;
        Ok(Attempt { throttle: self, account, address, done: false })
    }

    fn end(&self, attempt: &mut Attempt<'_>, failed: bool, succeeded: bool) -> Failure {
        attempt.done = true;
        let l = &self.limits;
        let now = Instant::now();
        let mut t = self.tracked.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = Failure { account_failures: 0, address_failures: 0, lockout_started: false };
        if let Some(r) = t.accounts.get_mut(&attempt.account) {
            r.in_flight = r.in_flight.saturating_sub(1);
            if failed {
                out.lockout_started |= r.fail(now, l.account_backoff_after, l.account_lockout_after, l);
                out.account_failures = r.failures;
            }
        }
        if succeeded && t.accounts.get(&attempt.account).is_some_and(|r| r.in_flight == 0) {
            t.accounts.remove(&attempt.account);
        }
        if let Some(r) = t.addresses.get_mut(&attempt.address) {
            r.in_flight = r.in_flight.saturating_sub(1);
            if failed {
                out.lockout_started |= r.fail(now, l.address_backoff_after, l.address_lockout_after, l);
                out.address_failures = r.failures;
            }
        }
        out
    }
}

impl Attempt<'_> {
    /// The password was wrong (or the account unknown).
    pub fn failed(mut self) -> Failure {
        let t = self.throttle;
        t.end(&mut self, true, false)
    }

    /// Signed in: the account's failures are forgotten.
    pub fn succeeded(mut self) {
        let t = self.throttle;
        t.end(&mut self, false, true);
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if !self.done {
            let t = self.throttle;
            t.end(self, false, false);
        }
    }
}

/// A random token (session id, CSRF token): 256 bits, hex.
pub fn token() -> String {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// Compares secrets in constant time.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A signed-in user's session: who (role and scope as the users file says now), and the
/// session's own data from its cookie.
#[derive(Clone, Debug)]
pub struct Session {
    /// Names this session (for logout's revocation), never the cookie's value.
    pub id: String,
    pub user: String,
    pub role: Role,
    pub scope: Scope,
    /// Must come back with every state-changing request (form field `csrf` or header `X-CSRF-Token`).
    pub csrf: String,
    /// In trusted-proxy mode, the proxy's user header when the session opened (none if it was
    /// absent): a request carrying another value ends the session.
    pub proxy_user: Option<String>,
    /// Unix time (seconds) after which the session is over unless used before.
    pub expires: i64,
}

impl Session {
    /// Whether this session's user may see and decide documents of type `t`.
    pub fn allows(&self, t: &DocumentType) -> bool {
        self.scope.allows(t)
    }
}

/// What the cookie carries, sealed.
#[derive(serde::Serialize, Deserialize)]
struct Payload {
    id: String,
    user: String,
    csrf: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    proxy_user: Option<String>,
    expires: i64,
}

/// Binds a sealed value to its use: a session cookie, version 1.
const SESSION_AAD: &[u8] = b"tamis console session v1";

/// A session key that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("the console session key in {path} is not usable: {message}. Write 32 random bytes as 64 hex characters (`openssl rand -hex 32`) or base64, and give every replica the same file")]
pub struct SessionKeyError {
    pub path: String,
    pub message: String,
}

/// Sessions kept in the browser, in a cookie sealed with ChaCha20-Poly1305 (ring, already in the
/// build for TLS): no replica keeps them, so any replica given the same key reads a session another
/// opened, and a restart signs nobody out. The expiry is inside the sealed payload (the cookie's
/// own expiry is the browser's to ignore); each use pushes it `ttl` further. Logout cannot take a
/// cookie back: the session's id is recorded as revoked instead (see `App::revoke`).
pub struct Sessions {
    key: ring::aead::LessSafeKey,
    ttl: Duration,
}

impl Sessions {
    /// Sessions sealed with `key` (32 bytes), expiring after `ttl` without activity.
    pub fn new(key: &[u8; 32], ttl: Duration) -> Sessions {
        let unbound = ring::aead::UnboundKey::new(&ring::aead::CHACHA20_POLY1305, key).expect("a 32-byte key");
        Sessions { key: ring::aead::LessSafeKey::new(unbound), ttl }
    }

    /// A random key: sessions then live as long as this process and on this replica only.
    pub fn random_key() -> [u8; 32] {
        let mut k = [0u8; 32];
        OsRng.fill_bytes(&mut k);
        k
    }

    /// Reads a key file: 32 bytes as 64 hex characters (`openssl rand -hex 32`) or in base64
    /// (Helm's `randBytes 32`, which the chart uses); surrounding blanks ignored.
    pub fn key_from_file(path: &Path) -> Result<[u8; 32], SessionKeyError> {
        use base64::Engine;
        let err = |message: String| SessionKeyError { path: path.display().to_string(), message };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let text = text.trim();
        let bytes = hex::decode(text)
            .or_else(|_| base64::engine::general_purpose::STANDARD.decode(text))
            .map_err(|_| err("neither hexadecimal nor base64".into()))?;
        bytes.try_into().map_err(|b: Vec<u8>| err(format!("{} bytes instead of 32", b.len())))
    }

    fn now() -> i64 {
        time::OffsetDateTime::now_utc().unix_timestamp()
    }

    fn seal(&self, p: &Payload) -> String {
        let mut nonce = [0u8; ring::aead::NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let mut buf = serde_json::to_vec(p).unwrap_or_default();
        // Random 96-bit nonces: safe far beyond the number of sign-ins a console sees per key.
        self.key
            .seal_in_place_append_tag(
                ring::aead::Nonce::assume_unique_for_key(nonce),
                ring::aead::Aad::from(SESSION_AAD),
                &mut buf,
            )
            .expect("sealing a small payload");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        hex::encode(out)
    }

    fn unseal(&self, value: &str) -> Option<Payload> {
        let raw = hex::decode(value).ok()?;
        if raw.len() < ring::aead::NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = raw.split_at(ring::aead::NONCE_LEN);
        let nonce = ring::aead::Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut buf = sealed.to_vec();
        let plain = self.key.open_in_place(nonce, ring::aead::Aad::from(SESSION_AAD), &mut buf).ok()?;
        serde_json::from_slice(plain).ok()
    }

    fn session(p: Payload, user: &User) -> Session {
        Session {
            id: p.id,
            user: p.user,
            role: user.role,
            scope: user.scope.clone(),
            csrf: p.csrf,
            proxy_user: p.proxy_user,
            expires: p.expires,
        }
    }

    /// Opens a session for `user`, bound to the proxy's user header `proxy_user`: the session
    /// and the cookie value that carries it.
    pub fn open(&self, user: &User, proxy_user: Option<&str>) -> (Session, String) {
        let p = Payload {
            id: token(),
            user: user.name.clone(),
            csrf: token(),
            proxy_user: proxy_user.map(str::to_string),
            expires: Self::now() + self.ttl.as_secs() as i64,
        };
        let value = self.seal(&p);
        (Self::session(p, user), value)
    }

    /// The live session a cookie value carries, with the user's role and scope from `users`
    /// (a user removed from the file has no session any more), and a new cookie value when the
    /// expiry should move (at most once a minute, so most answers set no cookie).
    pub fn get(&self, value: &str, users: &Users) -> Option<(Session, Option<String>)> {
        let mut p = self.unseal(value)?;
        let now = Self::now();
        if p.expires <= now {
            return None;
        }
        let user = users.get(&p.user)?;
        let renewed = now + self.ttl.as_secs() as i64;
        let refreshed = (renewed - p.expires >= 60).then(|| {
            p.expires = renewed;
            self.seal(&p)
        });
        Some((Self::session(p, user), refreshed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_against_their_hash_only() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        let users =
            Users::from_toml(&format!("[[users]]\nname = \"ana\"\nrole = \"reviewer\"\npassword_hash = \"{h}\"\n"))
                .unwrap();
        assert_eq!(users.verify("ana", "correct horse").map(|u| u.role), Some(Role::Reviewer));
        assert!(users.verify("ana", "wrong").is_none());
        assert!(users.verify("bob", "correct horse").is_none());
    }

    #[test]
    fn reused_memory_verifies_as_argon2_itself_does() {
        use argon2::PasswordVerifier;
        let h = hash_password("correct horse").unwrap();
        let parsed = PasswordHash::new(&h).unwrap();
        let mut memory = Vec::new();
        for (pw, ok) in [("correct horse", true), ("wrong", false), ("correct horse", true), ("", false)] {
            assert_eq!(password_matches(&parsed, pw.as_bytes(), &mut memory), ok, "{pw}");
            assert_eq!(Argon2::default().verify_password(pw.as_bytes(), &parsed).is_ok(), ok);
        }
        assert_eq!(memory.len(), 19 * 1024, "one buffer of the default 19 MiB, kept");
        // Other parameters than the defaults are read from the hash.
        let small = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(1024, 1, 1, Some(16)).unwrap());
        let salt = SaltString::generate(&mut OsRng);
        let h = small.hash_password(b"pw", &salt).unwrap().to_string();
        assert!(password_matches(&PasswordHash::new(&h).unwrap(), b"pw", &mut memory));
        assert!(!password_matches(&PasswordHash::new(&h).unwrap(), b"pX", &mut memory));
    }

    fn limits() -> LoginLimits {
        LoginLimits {
            account_backoff_after: 2,
            account_lockout_after: 3,
            address_backoff_after: 5,
            address_lockout_after: 50,
            backoff_secs: 1,
            lockout_secs: 60,
            ..LoginLimits::default()
        }
    }

    #[test]
    fn failures_bring_backoff_then_lockout_per_account_and_per_address() {
        let t = Throttle::new(limits());
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        t.begin("ana", a).unwrap().failed();
        let f = t.begin("ana", b).unwrap().failed();
        assert_eq!((f.account_failures, f.address_failures, f.lockout_started), (2, 1, false));
        // Backoff for the account, from any address; other accounts are not concerned.
        let refused = t.begin("ana", "192.0.2.3".parse().unwrap()).err().unwrap();
        assert!(refused.account && refused.retry_after_secs() == 1, "{refused:?}");
        t.begin("bob", a).unwrap().succeeded();
        // Past the backoff, one more failure locks the account out.
        std::thread::sleep(Duration::from_millis(1050));
        let f = t.begin("ana", a).unwrap().failed();
        assert!(f.lockout_started);
        let refused = t.begin("ana", a).err().unwrap();
        assert!(refused.retry_after_secs() > 50, "{refused:?}");
        // The address: five failures over several accounts, then backoff for every account.
        for name in ["c1", "c2", "c3"] {
            t.begin(name, a).unwrap().failed();
        }
        let refused = t.begin("c4", a).err().unwrap();
        assert!(!refused.account, "the address is throttled: {refused:?}");
        assert!(t.begin("c4", b).is_ok(), "another address is not");
    }

    #[test]
    fn parallel_attempts_count_before_they_fail_and_success_forgets_the_account() {
        let t = Throttle::new(limits());
        let ip: IpAddr = "198.51.100.7".parse().unwrap();
        let first = t.begin("ana", ip).unwrap();
        let second = t.begin("ana", ip).unwrap();
        assert!(t.begin("ana", ip).is_err(), "a third guess in flight would pass the backoff threshold");
        drop(second); // never checked (busy): not a failure
        first.failed();
        let again = t.begin("ana", ip).unwrap();
        again.succeeded();
        let state = t.tracked.lock().unwrap();
        assert!(!state.accounts.contains_key("ana"), "signed in: the account's failures are forgotten");
        assert_eq!(state.addresses[&ip].failures, 1, "the address keeps its failure");
        assert_eq!(state.addresses[&ip].in_flight, 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn password_checks_run_on_a_bounded_pool() {
        let h = hash_password("pw").unwrap();
        let users = Arc::new(
            Users::from_toml(&format!("[[users]]\nname = \"ana\"\nrole = \"viewer\"\npassword_hash = \"{h}\"\n"))
                .unwrap(),
        );
        let hasher = Arc::new(Hasher::new(1, Duration::ZERO));
        let calls = (0..6).map(|i| {
            let (hasher, users) = (hasher.clone(), users.clone());
            tokio::spawn(
                async move { hasher.verify(users, "ana".into(), if i == 0 { "pw" } else { "no" }.into()).await },
            )
        });
        let results: Vec<_> = futures::future::join_all(calls).await.into_iter().map(Result::unwrap).collect();
        assert!(results.iter().any(|r| r.is_err()), "with one thread and no wait, parallel checks are refused");
        let hasher = Hasher::new(1, Duration::from_secs(30));
        assert_eq!(hasher.verify(users.clone(), "ana".into(), "pw".into()).await.unwrap().unwrap().name, "ana");
        assert!(hasher.verify(users, "ana".into(), "no".into()).await.unwrap().is_none());
    }

    #[test]
    fn bad_users_files_are_refused() {
        assert!(Users::from_toml("[[users]]\nname = \"a\"\nrole = \"boss\"\n").is_err());
        assert!(Users::from_toml("[[users]]\nname = \"a\"\nrole = \"viewer\"\npassword_hash = \"plain\"\n").is_err());
        assert!(Users::from_toml(
            "[[users]]\nname = \"a\"\nrole = \"viewer\"\n[[users]]\nname = \"a\"\nrole = \"admin\"\n"
        )
        .is_err());
    }

    #[test]
    fn sealed_sessions_open_with_the_same_key_only_and_expire() {
        let users = Users::from_toml(
            "[[users]]\nname = \"v\"\nrole = \"viewer\"\n[[users]]\nname = \"p\"\nrole = \"reviewer\"\ntypes = [\"payslip\"]\n",
        )
        .unwrap();
        let key = Sessions::random_key();
        let (a, b) = (Sessions::new(&key, Duration::from_secs(600)), Sessions::new(&key, Duration::from_secs(600)));
        let (opened, cookie) = a.open(users.get("p").unwrap(), Some("p"));
        // Another replica with the same key reads it; role and scope come from the users file.
        let (s, refreshed) = b.get(&cookie, &users).expect("the other replica reads the session");
        assert_eq!(
            (s.id.as_str(), s.csrf.as_str(), s.role),
            (opened.id.as_str(), opened.csrf.as_str(), Role::Reviewer)
        );
        assert!(s.allows(&DocumentType::Payslip) && !s.allows(&DocumentType::Passport));
        assert_eq!(s.proxy_user.as_deref(), Some("p"));
        assert!(refreshed.is_none(), "fresh: no new cookie");
        assert!(!cookie.contains(&opened.csrf) && !cookie.contains("\"p\""), "the payload is encrypted");
        // Another key, a changed byte, garbage: no session.
        assert!(Sessions::new(&Sessions::random_key(), Duration::from_secs(600)).get(&cookie, &users).is_none());
        let mut bytes = hex::decode(&cookie).unwrap();
        let last = bytes.len() - 20;
        bytes[last] ^= 1;
        assert!(b.get(&hex::encode(bytes), &users).is_none(), "tampered");
        assert!(b.get("00", &users).is_none() && b.get("not hex", &users).is_none());
        // A user no longer in the file has no session.
        assert!(b.get(&cookie, &Users::default()).is_none());
        // Expired: the expiry is inside the sealed payload.
        let short = Sessions::new(&key, Duration::ZERO);
        let (_, cookie) = short.open(users.get("v").unwrap(), None);
        assert!(short.get(&cookie, &users).is_none(), "an expired session is gone");
        // A session used a while after its last use gets a new expiry, sealed anew.
        let (_, renewed) = a.get(&cookie_expiring_in(&a, &users, 120), &users).unwrap();
        let renewed = a.unseal(&renewed.expect("renewed")).unwrap();
        assert!(renewed.expires > Sessions::now() + 590, "{}", renewed.expires);
        assert!(same_secret("abc", "abc") && !same_secret("abc", "abd") && !same_secret("abc", "ab"));
    }

    /// A cookie for `v` that expires in `secs` seconds.
    fn cookie_expiring_in(s: &Sessions, users: &Users, secs: i64) -> String {
        let (session, _) = s.open(users.get("v").unwrap(), None);
        s.seal(&Payload {
            id: session.id,
            user: "v".into(),
            csrf: session.csrf,
            proxy_user: None,
            expires: Sessions::now() + secs,
        })
    }

    #[test]
    fn roles_can_be_limited_to_types_and_old_files_stay_valid() {
        let old = Users::from_toml("[[users]]\nname = \"r\"\nrole = \"reviewer\"\n").unwrap();
        assert_eq!(old.get("r").unwrap().scope, Scope::All, "a file without types: every type, as before");
        let u =
            Users::from_toml("[[users]]\nname = \"p\"\nrole = \"reviewer\"\ntypes = [\"payslip\", \"tax_notice\"]\n")
                .unwrap();
        let scope = &u.get("p").unwrap().scope;
        assert!(scope.allows(&DocumentType::Payslip) && scope.allows(&DocumentType::TaxNotice));
        assert!(!scope.allows(&DocumentType::Passport));
        assert!(u.check_types(|t| DocumentType::BUILT_IN.contains(t)).is_ok());
        let custom = Users::from_toml("[[users]]\nname = \"p\"\nrole = \"admin\"\ntypes = [\"payslips\"]\n").unwrap();
        let e = custom.check_types(|t| DocumentType::BUILT_IN.contains(t)).unwrap_err();
        assert!(e.contains("payslips") && e.contains("not in the taxonomy"), "{e}");
        for bad in [
            "[[users]]\nname = \"p\"\nrole = \"reviewer\"\ntypes = []\n",
            "[[users]]\nname = \"p\"\nrole = \"viewer\"\ntypes = [\"payslip\"]\n",
            "[[users]]\nname = \"p\"\nrole = \"reviewer\"\ntypes = [\"Pay Slip\"]\n",
        ] {
            assert!(Users::from_toml(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn key_files_hold_64_hex_characters() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("key");
        std::fs::write(&p, format!("{}\n", "ab".repeat(32))).unwrap();
        assert_eq!(Sessions::key_from_file(&p).unwrap(), [0xab; 32]);
        std::fs::write(&p, "ab".repeat(16)).unwrap();
        assert!(Sessions::key_from_file(&p).unwrap_err().to_string().contains("16 bytes instead of 32"));
        std::fs::write(&p, "q".repeat(42) + "s=").unwrap();
        assert_eq!(Sessions::key_from_file(&p).unwrap().len(), 32, "base64 of 32 bytes");
        std::fs::write(&p, "zz!").unwrap();
        assert!(Sessions::key_from_file(&p).is_err());
    }
}
