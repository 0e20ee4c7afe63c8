//! The Tamis back-office console (`tamis console --listen ADDR`): a dashboard of every queue and
//! of throughput for operators, and a review inbox where reviewers take the next item, see the
//! page with each field's box, and accept, correct, re-type or reject it with the keyboard.
//! Server-rendered HTML (maud), a JSON API under `/api/`, sessions with CSRF tokens and roles;
//! personal data only ever reaches reviewers.

pub mod auth;
pub mod history;
pub mod i18n;
pub mod journal;
mod pages;
pub mod queues;
pub mod render;

use auth::{Role, Session, Sessions, Users};
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::{header, request::Parts, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, MethodRouter};
use axum::{Form, Json, Router};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use i18n::Lang;
use queues::{Depths, EventCounts, Leases};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::future::IntoFuture;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tamis_route::review::{Action, ReviewDecision};
use tamis_shared::blob::BlobStore;
use tamis_shared::broker::Broker;
use tamis_shared::config::{Config, ProxyNet};
use tamis_shared::taxonomy::Taxonomy;
use tamis_shared::DocumentType;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

const SESSION_COOKIE: &str = "tamis_session";
const LOGIN_CSRF_COOKIE: &str = "tamis_login_csrf";
const LANG_COOKIE: &str = "tamis_lang";

/// Why the console cannot start.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error(transparent)]
    Users(#[from] auth::UsersError),
    #[error(transparent)]
    SessionKey(#[from] auth::SessionKeyError),
    #[error("no console users: set console.users_file (TAMIS_CONSOLE_USERS); see docs/review.md")]
    NoUsers,
    #[error(transparent)]
    Broker(#[from] tamis_shared::broker::BrokerError),
    #[error(transparent)]
    Blob(#[from] tamis_shared::blob::BlobError),
    #[error(transparent)]
    Ops(#[from] tamis_shared::ops::OpsError),
    #[error(transparent)]
    Taxonomy(#[from] tamis_shared::taxonomy::TaxonomyError),
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: String, source: std::io::Error },
}

/// Everything the handlers share.
pub struct App {
    users: Arc<Users>,
    /// Sessions sealed in cookies: any replica with the same key reads them.
    sessions: Sessions,
    /// Sessions this process saw revoked (logout): no need to ask the blob store again.
    /// Bounded by expiry: an id is forgotten once its session would have expired anyway.
    revoked: Mutex<std::collections::HashMap<String, i64>>,
    /// Password checks, on a bounded pool (memory follows from its size).
    hasher: auth::Hasher,
    /// Sign-in failures per account and per source address.
    throttle: auth::Throttle,
    leases: Leases,
    /// Types and fields, for their display names and kinds (the same file the workers read).
    taxonomy: Taxonomy,
    /// Queue depths for the dashboard and the inbox, on one long-lived channel.
    depths: Arc<Depths>,
    broker: Broker,
    blobs: BlobStore,
    counts: Arc<Mutex<EventCounts>>,
    /// Where unfinished documents wait and since when, read from the journal.
    ages: Arc<Mutex<journal::Ages>>,
    /// The journal's retention as configured (`amqp.journal_max_age`), shown with the ages.
    journal_max_age: String,
    started: Instant,
    secure_cookies: bool,
    trusted_header: Option<String>,
    /// Peers allowed to set the trusted headers (empty: any peer may set the user header, none
    /// the address header).
    trusted_proxies: Vec<ProxyNet>,
    client_address_header: Option<String>,
    /// `Strict-Transport-Security` value, if sent.
    hsts: Option<header::HeaderValue>,
    /// The file limits page images are rendered within: OCR's (`limits.*`).
    images: tamis_ocr::OcrConfig,
    /// Cancelled when the console shuts down: background tasks stop.
    closing: CancellationToken,
}

impl App {
    /// Connects to the broker and the blob store and loads the users.
    pub async fn connect(config: &Config) -> Result<Arc<App>, ConsoleError> {
        let users = match &config.console.users_file {
            Some(p) => Users::from_path(p)?,
            None => return Err(ConsoleError::NoUsers),
        };
        // Checked before the broker: a type without display names stops start-up at once.
        let taxonomy = match &config.taxonomy {
            Some(p) => Taxonomy::from_path(p)?,
            None => Taxonomy::builtin(),
        };
        taxonomy.check_display()?;
        if let (Err(message), Some(p)) =
            (users.check_types(|t| taxonomy.get(t.as_str()).is_some()), &config.console.users_file)
        {
            return Err(auth::UsersError::Invalid { path: p.display().to_string(), message }.into());
        }
        let key = match &config.console.session_key_file {
            Some(p) => Sessions::key_from_file(p)?,
            None => {
                tracing::warn!("no console.session_key_file: sessions hold on this process only and end with it");
                Sessions::random_key()
            }
        };
        let broker = Broker::connect(&config.amqp, "tamis-console", Duration::from_secs(30)).await?;
        broker.declare_topology(&[]).await?;
        let blobs = BlobStore::open(&config.blob.url)?;
        let c = &config.console;
        let depths = Arc::new(Depths::new(broker.clone()));
        let app = Arc::new(App {
            users: Arc::new(users),
            sessions: Sessions::new(&key, Duration::from_secs(c.session_minutes * 60)),
            revoked: Mutex::new(Default::default()),
            hasher: auth::Hasher::new(c.login.max_concurrent_hashes, Duration::from_millis(c.login.hash_wait_ms)),
            throttle: auth::Throttle::new(c.login.clone()),
            leases: Leases::new(broker.clone(), blobs.clone(), depths.clone(), Duration::from_secs(c.lease_secs)),
            taxonomy,
            depths,
            broker,
            blobs,
            counts: Arc::new(Mutex::new(EventCounts::default())),
            ages: Arc::new(Mutex::new(journal::Ages::new(c.journal_max_documents))),
            journal_max_age: config.amqp.journal_max_age.clone(),
            started: Instant::now(),
            secure_cookies: c.secure_cookies,
            trusted_header: c.trusted_user_header.clone(),
            trusted_proxies: c.proxy_nets(),
            client_address_header: c.client_address_header.clone(),
            hsts: hsts_value(c.hsts_max_age_secs),
            images: tamis_ocr::OcrConfig::with_limits(&config.limits),
            closing: CancellationToken::new(),
        });
        let (b, counts) = (app.broker.clone(), app.counts.clone());
        tokio::spawn(async move {
            if let Err(e) = queues::tap_events(b, counts).await {
                tracing::warn!(error = %e, "event counts unavailable");
            }
        });
        tokio::spawn(journal::follow(app.broker.clone(), app.ages.clone(), app.closing.clone()));
        let weak = Arc::downgrade(&app);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(5)).await;
                let Some(app) = weak.upgrade() else { break };
                if app.closing.is_cancelled() {
                    break;
                }
                app.leases.expire_idle().await;
                export_review_metrics(&app).await;
            }
        });
        Ok(app)
    }

    /// Ends a session on every replica: the cookie is the browser's, so its id is recorded as
    /// revoked in the blob store (shared by the replicas), until it would have expired anyway.
    /// If the record cannot be written the browser still drops the cookie; the failure is logged.
    async fn revoke(&self, s: &Session) {
        self.remember_revoked(&s.id, s.expires);
        let record = json!({ "expires": s.expires });
        let bytes = bytes::Bytes::from(serde_json::to_vec(&record).unwrap_or_default());
        if let Err(e) = self.blobs.put_once(&revoked_key(&s.id), bytes).await {
            tracing::warn!(error = %e, "session revocation not recorded: other replicas accept it until it expires");
        }
    }

    /// Whether a session was revoked, here or on another replica. When the blob store cannot
    /// tell, the session is refused (signing in again is the way out), never accepted blindly.
    async fn is_revoked(&self, id: &str) -> bool {
        if self.revoked.lock().unwrap_or_else(|e| e.into_inner()).contains_key(id) {
            return true;
        }
        match self.blobs.records(&revoked_prefix(id)).await {
            Ok(r) if r.is_empty() => false,
            Ok(r) => {
                let expires = serde_json::from_slice::<serde_json::Value>(&r[0].1)
                    .ok()
                    .and_then(|v| v["expires"].as_i64())
                    .unwrap_or(i64::MAX);
                self.remember_revoked(id, expires);
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot check whether a session was revoked; refused");
                true
            }
        }
    }

    fn remember_revoked(&self, id: &str, expires: i64) {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let mut revoked = self.revoked.lock().unwrap_or_else(|e| e.into_inner());
        revoked.retain(|_, e| *e > now);
        revoked.insert(id.to_string(), expires);
    }

    /// Puts back every held item and closes the broker connection (which ends the event tap).
    pub async fn close(&self) {
        self.closing.cancel();
        let released = self.leases.release_all().await;
        if released > 0 {
            tracing::info!(released, "items held by reviewers put back in their queues");
        }
        self.broker.close().await;
    }
}

/// Where a revoked session's id is recorded (a folder: the blob store lists by folder).
fn revoked_prefix(id: &str) -> String {
    format!("console/revoked-sessions/{id}")
}

fn revoked_key(id: &str) -> String {
    format!("{}/revoked.json", revoked_prefix(id))
}

/// Who may use a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone: the sign-in form, static assets, the redirect from `/`.
    Public,
    /// A signed-in user of at least this role.
    Signed(Role),
}

/// One route of the console.
#[derive(Clone, Copy, Debug)]
pub struct RouteSpec {
    pub method: &'static str,
    /// As axum writes it (`{name}` for a path parameter).
    pub path: &'static str,
    pub access: Access,
}

const fn route(method: &'static str, path: &'static str, access: Access) -> RouteSpec {
    RouteSpec { method, path, access }
}

/// Every route, and who may use it. [`router`] is built from this list and nothing else, so the
/// security tests (`tests/security.rs`), which walk it, cannot miss a route.
pub const ROUTES: &[RouteSpec] = &[
    route("GET", "/", Access::Public),
    route("GET", "/login", Access::Public),
    route("POST", "/login", Access::Public),
    route("POST", "/logout", Access::Signed(Role::Viewer)),
    route("GET", "/dashboard", Access::Signed(Role::Viewer)),
    route("GET", "/review", Access::Signed(Role::Reviewer)),
    route("POST", "/review/decide", Access::Signed(Role::Reviewer)),
    route("GET", "/review/page/{lease}/{page}", Access::Signed(Role::Reviewer)),
    route("GET", "/api/dashboard", Access::Signed(Role::Viewer)),
    route("GET", "/api/review/next", Access::Signed(Role::Reviewer)),
    route("GET", "/search", Access::Signed(Role::Reviewer)),
    route("GET", "/documents/{id}", Access::Signed(Role::Reviewer)),
    route("GET", "/api/documents/{id}/history", Access::Signed(Role::Reviewer)),
    route("POST", "/api/review/decision", Access::Signed(Role::Reviewer)),
    route("GET", "/assets/console.css", Access::Public),
    route("GET", "/assets/console.js", Access::Public),
];

/// The handler of a route of [`ROUTES`]. Every handler sends back the cookies its [`Ctx`] set: in
/// trusted-proxy mode the session it opened for the proxy's user, so that the next request uses
/// it instead of opening another (each would live in memory until it expires).
fn handler(r: &RouteSpec) -> MethodRouter<Arc<App>> {
    match (r.method, r.path) {
        ("GET", "/") => get(|| async { Redirect::to("/dashboard") }),
        ("GET", "/login") => get(login_page),
        ("POST", "/login") => post(login),
        ("POST", "/logout") => post(logout),
        ("GET", "/dashboard") => get(dashboard_page),
        ("GET", "/review") => get(review_page),
        ("POST", "/review/decide") => post(decide_form),
        ("GET", "/review/page/{lease}/{page}") => get(page_image),
        ("GET", "/api/dashboard") => get(api_dashboard),
        ("GET", "/api/review/next") => get(api_next),
        ("GET", "/search") => get(search),
        ("GET", "/documents/{id}") => get(history_page),
        ("GET", "/api/documents/{id}/history") => get(api_history),
        ("POST", "/api/review/decision") => post(api_decision),
        ("GET", "/assets/console.css") => get(|| async { asset("text/css", include_str!("../assets/console.css")) }),
        ("GET", "/assets/console.js") => {
            get(|| async { asset("text/javascript", include_str!("../assets/console.js")) })
        }
        (m, p) => unreachable!("ROUTES lists {m} {p} but no handler serves it"),
    }
}

/// The console's routes.
pub fn router(app: Arc<App>) -> Router {
    let hsts = app.hsts.clone();
    ROUTES
        .iter()
        .fold(Router::new(), |r, spec| r.route(spec.path, handler(spec)))
        // Unknown paths get the same headers as every page.
        .fallback(|| async { StatusCode::NOT_FOUND })
        .layer(axum::middleware::map_response(move |r| security_headers(r, hsts.clone())))
        .with_state(app)
}

fn hsts_value(max_age_secs: u64) -> Option<header::HeaderValue> {
    (max_age_secs > 0).then(|| header::HeaderValue::from_str(&format!("max-age={max_age_secs}")).ok()).flatten()
}

/// Serves the console on `listen` until `shutdown` is cancelled (the binary cancels it on SIGTERM
/// or Ctrl-C). Then it stops accepting connections, lets the requests in flight finish for up to
/// `workers.shutdown_grace_secs`, puts back the items reviewers held (as *Put back* does, so no
/// delivery is counted against them) and closes its AMQP connection.
pub async fn serve(config: &Config, listen: &str, shutdown: CancellationToken) -> Result<(), ConsoleError> {
    let app = App::connect(config).await?;
    // The ops server, as on workers: /metrics for Prometheus (the review series), /healthz and
    // /readyz, on `workers.health_addr`, apart from the pages so that it is never behind the
    // ingress. The console consumes no stage queue: it is ready once it serves its pages (it
    // connected to the broker above; a later broker outage shows on its pages, not here).
    let readiness = tamis_shared::ops::Readiness::new();
    readiness.set_broker_connected(true);
    readiness.expect_consumers(&["console"]);
    tamis_shared::ops::serve(&config.workers.health_addr, readiness.clone(), shutdown.clone()).await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| ConsoleError::Listen { addr: listen.to_string(), source })?;
    tracing::info!(listen, "console listening");
    readiness.set_consumer_running("console", true);
    let service = router(app.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let server = axum::serve(listener, service).with_graceful_shutdown(shutdown.clone().cancelled_owned());
    let mut server = std::pin::pin!(server.into_future());
    let served = tokio::select! {
        r = &mut server => r,
        _ = shutdown.cancelled() => {
            readiness.set_stopping();
            let grace = Duration::from_secs(config.workers.shutdown_grace_secs);
            match tokio::time::timeout(grace, &mut server).await {
                Ok(r) => r,
                Err(_) => {
                    tracing::warn!(grace_secs = grace.as_secs(), "requests still running after the grace period are cut");
                    Ok(())
                }
            }
        }
    };
    app.close().await;
    served.map_err(|source| ConsoleError::Listen { addr: listen.to_string(), source })
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "max-age=300")], body).into_response()
}

/// What browsers may do with the console's pages: what they load (CSP), no framing, no referrer,
/// no device feature (`Permissions-Policy`), HTTPS only once seen over HTTPS (HSTS).
async fn security_headers(mut r: Response, hsts: Option<header::HeaderValue>) -> Response {
    let h = r.headers_mut();
    let set = |h: &mut HeaderMap, k: &'static str, v: &'static str| {
        h.insert(k, header::HeaderValue::from_static(v));
    };
    set(h, "content-security-policy", "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
    set(h, "x-content-type-options", "nosniff");
    set(h, "referrer-policy", "no-referrer");
    set(
        h,
        "permissions-policy",
        "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), \
         magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(), usb=()",
    );
    if let Some(v) = hsts {
        h.insert(header::STRICT_TRANSPORT_SECURITY, v);
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        // Pages may hold personal data: never kept by the browser or a proxy.
        set(h, "cache-control", "no-store");
    }
    r
}

/// The caller: language, session (if any), the cookies to send back, its address and, in
/// trusted-proxy mode, the login the proxy vouches for.
pub struct Ctx {
    lang: Lang,
    session: Option<Session>,
    jar: CookieJar,
    /// The client's address: the TCP peer's, or the trusted proxy's address header.
    client: IpAddr,
    /// The trusted user header's value (trusted-proxy mode, from a trusted peer), if any.
    proxy_user: Option<String>,
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

impl FromRequestParts<Arc<App>> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Self::Rejection> {
        let mut jar = CookieJar::from_headers(&parts.headers);
        let asked =
            Query::<LangQuery>::try_from_uri(&parts.uri).ok().and_then(|q| q.0.lang).and_then(|l| Lang::parse(&l));
        let lang = match asked {
            Some(l) => {
                jar = jar.add(cookie(LANG_COOKIE, l.tag().to_string(), app.secure_cookies, false));
                l
            }
            None => jar
                .get(LANG_COOKIE)
                .and_then(|c| Lang::parse(c.value()))
                .or_else(|| {
                    parts
                        .headers
                        .get(header::ACCEPT_LANGUAGE)
                        .and_then(|h| h.to_str().ok())
                        .and_then(Lang::from_accept_language)
                })
                .unwrap_or(Lang::Fr),
        };
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        // A header from anyone but the configured proxies is the client's own claim.
        let from_proxy =
            app.trusted_proxies.is_empty() || peer.is_some_and(|p| app.trusted_proxies.iter().any(|n| n.contains(p)));
        let client = match (&app.client_address_header, peer) {
            (Some(h), Some(p)) if from_proxy && !app.trusted_proxies.is_empty() => {
                forwarded_client(&parts.headers, h, &app.trusted_proxies).unwrap_or(p)
            }
            (_, p) => p.unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)),
        };
        let proxy_user = match &app.trusted_header {
            Some(h) if from_proxy => parts
                .headers
                .get(h.as_str())
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string),
            _ => None,
        };
        let mut session = None;
        if let Some(value) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) {
            match app.sessions.get(&value, &app.users) {
                Some((s, _)) if app.is_revoked(&s.id).await => {}
                Some((s, refreshed)) => {
                    if let Some(v) = refreshed {
                        jar = jar.add(cookie(SESSION_COOKIE, v, app.secure_cookies, true));
                    }
                    session = Some(s);
                }
                None => {}
            }
        }
        if app.trusted_header.is_some() {
            // A session belongs to the proxy's user it was opened under: another user behind
            // the same browser (or a header that went away) must not inherit it.
            if let Some(s) = &session {
                if s.proxy_user != proxy_user {
                    tracing::info!(user = %s.user, "console session ended: the proxy's user header changed");
                    app.revoke(s).await;
                    session = None;
                    jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
                }
            }
            // The proxy authenticated this login; the role comes from the users file.
            if let (None, Some(user)) = (&session, proxy_user.as_deref().and_then(|l| app.users.get(l))) {
                let (s, value) = app.sessions.open(user, proxy_user.as_deref());
                session = Some(s);
                jar = jar.add(cookie(SESSION_COOKIE, value, app.secure_cookies, true));
            }
        }
        Ok(Ctx { lang, session, jar, client, proxy_user })
    }
}

/// The client's address in a forwarded header (`X-Forwarded-For` style, every occurrence, left to
/// right): the rightmost entry that is not one of our proxies, since entries to its left were
/// written by the client itself.
fn forwarded_client(headers: &HeaderMap, name: &str, proxies: &[ProxyNet]) -> Option<IpAddr> {
    let entries: Vec<&str> = headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect();
    let parse = |e: &str| {
        e.parse::<IpAddr>()
            .ok()
            .or_else(|| e.parse::<SocketAddr>().ok().map(|s| s.ip()))
            .or_else(|| e.trim_start_matches('[').split(']').next().and_then(|a| a.parse::<IpAddr>().ok()))
    };
    for e in entries.iter().rev() {
        let ip = parse(e)?;
        if !proxies.iter().any(|n| n.contains(ip)) {
            return Some(ip);
        }
    }
    entries.first().and_then(|e| parse(e))
}

fn cookie(name: &'static str, value: String, secure: bool, http_only: bool) -> Cookie<'static> {
    let mut c = Cookie::new(name, value);
    c.set_path("/");
    c.set_secure(secure);
    c.set_http_only(http_only);
    c.set_same_site(SameSite::Strict);
    c
}

/// Refusals, as HTML for pages and JSON for the API. They never carry document data.
enum Denied {
    SignIn,
    Forbidden,
    Csrf,
}

impl Ctx {
    fn require(&self, role: Role) -> Result<&Session, Denied> {
        match &self.session {
            None => Err(Denied::SignIn),
            Some(s) if s.role < role => Err(Denied::Forbidden),
            Some(s) => Ok(s),
        }
    }

    fn page_denied(self, d: Denied) -> Response {
        match d {
            Denied::SignIn => (self.jar, Redirect::to("/login")).into_response(),
            Denied::Forbidden => {
                let body = pages::message(self.lang, self.session.as_ref(), self.lang.t("forbidden"));
                (StatusCode::FORBIDDEN, self.jar, body).into_response()
            }
            Denied::Csrf => {
                (StatusCode::FORBIDDEN, self.jar, "CSRF token missing or wrong: reload the page and try again")
                    .into_response()
            }
        }
    }
}

fn api_denied(d: Denied) -> Response {
    let (code, msg) = match d {
        Denied::SignIn => (StatusCode::UNAUTHORIZED, "sign in first"),
        Denied::Forbidden => (StatusCode::FORBIDDEN, "your role or its document types do not allow this"),
        Denied::Csrf => (StatusCode::FORBIDDEN, "missing or wrong X-CSRF-Token header"),
    };
    (code, Json(json!({ "error": msg }))).into_response()
}

fn check_csrf(s: &Session, given: Option<&str>) -> Result<(), Denied> {
    match given {
        Some(t) if auth::same_secret(t, &s.csrf) => Ok(()),
        _ => Err(Denied::Csrf),
    }
}

async fn login_page(State(app): State<Arc<App>>, ctx: Ctx, Query(q): Query<BTreeMap<String, String>>) -> Response {
    if ctx.session.is_some() {
        return (ctx.jar, Redirect::to("/dashboard")).into_response();
    }
    // Login CSRF: the form's token must match a cookie only this site could set.
    let token = auth::token();
    let jar = ctx.jar.add(cookie(LOGIN_CSRF_COOKIE, token.clone(), app.secure_cookies, true));
    (jar, pages::login(ctx.lang, &token, q.contains_key("failed"))).into_response()
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    csrf: Option<String>,
}

async fn login(State(app): State<Arc<App>>, ctx: Ctx, Form(f): Form<LoginForm>) -> Response {
    let expected = ctx.jar.get(LOGIN_CSRF_COOKIE).map(|c| c.value().to_string());
    let csrf_ok = matches!((&expected, &f.csrf), (Some(e), Some(g)) if auth::same_secret(e, g));
    if !csrf_ok {
        return ctx.page_denied(Denied::Csrf);
    }
    let name = f.username.trim().to_string();
    // The account name as typed, for the log: bounded, without control characters.
    let account: String = name.chars().take(64).map(|c| if c.is_control() { '?' } else { c }).collect();
    let source = ctx.client;
    // Throttled attempts cost no password check at all.
    let attempt = match app.throttle.begin(&name, source) {
        Ok(a) => a,
        Err(t) => {
            let secs = t.retry_after_secs();
            tracing::debug!(%account, %source, retry_after_secs = secs, by_account = t.account, "console sign-in throttled");
            let text = format!("{} {secs} s.", ctx.lang.t("throttled"));
            return retry_later(StatusCode::TOO_MANY_REQUESTS, secs, ctx, &text);
        }
    };
    let user = match app.hasher.verify(app.users.clone(), name, f.password).await {
        Ok(u) => u,
        Err(auth::Busy) => {
            drop(attempt);
            tracing::warn!(%account, %source, "console sign-in refused: every password check is busy");
            let text = ctx.lang.t("busy");
            return retry_later(StatusCode::SERVICE_UNAVAILABLE, 1, ctx, text);
        }
    };
    let Some(user) = user else {
        let f = attempt.failed();
        tracing::warn!(
            %account,
            %source,
            account_failures = f.account_failures,
            address_failures = f.address_failures,
            "console sign-in refused: wrong user name or password"
        );
        if f.lockout_started {
            tracing::warn!(%account, %source, "console sign-in locked out for this account or address");
        }
        return (ctx.jar, Redirect::to("/login?failed=1")).into_response();
    };
    attempt.succeeded();
    tracing::info!(%account, %source, "console sign-in");
    let (_, value) = app.sessions.open(&user, ctx.proxy_user.as_deref());
    let jar = ctx.jar.remove(Cookie::build(LOGIN_CSRF_COOKIE).path("/")).add(cookie(
        SESSION_COOKIE,
        value,
        app.secure_cookies,
        true,
    ));
    let to = if user.role >= Role::Reviewer { "/review" } else { "/dashboard" };
    (jar, Redirect::to(to)).into_response()
}

/// A refusal that says when to come back (`429` throttled, `503` busy).
fn retry_later(code: StatusCode, secs: u64, ctx: Ctx, text: &str) -> Response {
    let body = pages::message(ctx.lang, None, text);
    (code, [(header::RETRY_AFTER, secs.to_string())], ctx.jar, body).into_response()
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

async fn logout(State(app): State<Arc<App>>, ctx: Ctx, Form(f): Form<CsrfForm>) -> Response {
    let s = match ctx.require(Role::Viewer).and_then(|s| check_csrf(s, f.csrf.as_deref()).map(|_| s)) {
        Ok(s) => s.clone(),
        Err(d) => return ctx.page_denied(d),
    };
    app.revoke(&s).await;
    let jar = ctx.jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    (jar, Redirect::to("/login")).into_response()
}

/// One queue on the dashboard: its depth, and how long its oldest item has waited.
#[derive(serde::Serialize)]
struct QueueView {
    #[serde(flatten)]
    depth: queues::QueueDepth,
    /// Items reviewers of this console hold (review queues): not in the depth, still waiting.
    held: usize,
    /// `none` (nothing waits), `known` or `unknown` (see journal::Age).
    oldest: &'static str,
    /// Seconds the oldest waiting item has waited (ms precision), when known.
    oldest_secs: Option<f64>,
    /// The same, for people, in the request's language.
    oldest_text: String,
}

async fn dashboard_data(app: &App, lang: Lang) -> serde_json::Value {
    let (views, journal) = queue_views(app, lang).await;
    let throughput = app.counts.lock().unwrap_or_else(|e| e.into_inner()).throughput(app.started);
    let parked = views.iter().find(|q| q.depth.kind == "parking").and_then(|q| q.depth.depth);
    let waiting: u32 = views.iter().filter(|q| q.depth.kind == "review").filter_map(|q| q.depth.depth).sum();
    json!({
        "queues": views,
        "throughput": throughput,
        "parked": parked,
        "waiting_review": waiting as usize + app.leases.held_count(),
        "in_review": app.leases.held_count(),
        "journal": journal,
        "journal_text": lang.journal_state(journal.state),
        "journal_max_age": app.journal_max_age,
    })
}

/// Exports what the dashboard shows of each review queue as `tamis_review_items{type}` and
/// `tamis_review_oldest_age_seconds{type}`, so that an alert can hold a review-delay target.
/// A queue whose depth is unknown (broker trouble) keeps its last figures; an unknown age
/// removes the age series (see journal::Age::Unknown).
async fn export_review_metrics(app: &App) {
    let review_prefix = format!("{}.review.", app.broker.topology().prefix);
    let (views, _) = queue_views(app, Lang::En).await;
    let m = tamis_shared::metrics::global();
    for q in views.iter().filter(|q| q.depth.kind == "review") {
        let (Some(doc_type), Some(depth)) = (q.depth.name.strip_prefix(&review_prefix), q.depth.depth) else {
            continue;
        };
        let oldest = match q.oldest {
            "none" => Some(0.0),
            _ => q.oldest_secs,
        };
        m.review_queue(doc_type, depth as u64 + q.held as u64, oldest);
    }
}

/// Every queue with its depth, held items and oldest age, and the journal's state.
async fn queue_views(app: &App, lang: Lang) -> (Vec<QueueView>, journal::JournalStatus) {
    let queues = app.depths.all().await;
    let held = app.leases.held_by_queue();
    let now_ms = (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64;
    let prefix = format!("{}.", app.broker.topology().prefix);
    let (views, journal) = {
        let ages = app.ages.lock().unwrap_or_else(|e| e.into_inner());
        let by_place = ages.by_place();
        let views: Vec<QueueView> = queues
            .into_iter()
            .map(|q| {
                let held = held.get(&q.name).copied().unwrap_or(0);
                let place = q.name.strip_prefix(&prefix).unwrap_or(&q.name);
                let age = match q.depth {
                    Some(d) => ages.oldest(by_place.get(place), d + held as u32, now_ms),
                    None => journal::Age::Unknown,
                };
                let (oldest, oldest_secs) = match age {
                    journal::Age::Empty => ("none", None),
                    journal::Age::Known(ms) => ("known", Some(ms as f64 / 1000.0)),
                    journal::Age::Unknown => ("unknown", None),
                };
                QueueView { depth: q, held, oldest, oldest_secs, oldest_text: lang.age(age) }
            })
            .collect();
        (views, ages.status())
    };
    (views, journal)
}

async fn dashboard_page(State(app): State<Arc<App>>, ctx: Ctx) -> Response {
    let s = match ctx.require(Role::Viewer) {
        Ok(s) => s.clone(),
        Err(d) => return ctx.page_denied(d),
    };
    let data = dashboard_data(&app, ctx.lang).await;
    (ctx.jar, pages::dashboard(ctx.lang, &s, &data)).into_response()
}

async fn api_dashboard(State(app): State<Arc<App>>, ctx: Ctx) -> Response {
    let jar = ctx.jar.clone();
    (jar, api_dashboard_answer(State(app), ctx).await).into_response()
}

async fn api_dashboard_answer(State(app): State<Arc<App>>, ctx: Ctx) -> Response {
    if let Err(d) = ctx.require(Role::Viewer) {
        return api_denied(d);
    }
    Json(dashboard_data(&app, ctx.lang).await).into_response()
}

#[derive(Deserialize)]
struct ReviewQuery {
    #[serde(rename = "type")]
    doc_type: Option<String>,
    done: Option<String>,
    error: Option<String>,
}

async fn review_page(State(app): State<Arc<App>>, ctx: Ctx, Query(q): Query<ReviewQuery>) -> Response {
    let s = match ctx.require(Role::Reviewer) {
        Ok(s) => s.clone(),
        Err(d) => return ctx.page_denied(d),
    };
    let only = q.doc_type.as_deref().and_then(|t| t.parse::<DocumentType>().ok());
    if only.as_ref().is_some_and(|t| !s.allows(t)) {
        return ctx.page_denied(Denied::Forbidden);
    }
    let flash = match (q.done.is_some(), q.error.as_deref()) {
        (_, Some("reason")) => Some((true, ctx.lang.t("need_reason").to_string())),
        (_, Some(_)) => Some((true, ctx.lang.t("error").to_string())),
        (true, None) => Some((false, ctx.lang.t("decided").to_string())),
        _ => None,
    };
    match app.leases.next(&s.user, |t| s.allows(t) && only.as_ref().is_none_or(|o| o == t)).await {
        Ok(lease) => (ctx.jar, pages::review(ctx.lang, &app.taxonomy, &s, lease.as_ref(), flash)).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot take a review item");
            let body = pages::message(ctx.lang, Some(&s), &e.to_string());
            (StatusCode::SERVICE_UNAVAILABLE, ctx.jar, body).into_response()
        }
    }
}

async fn api_next(State(app): State<Arc<App>>, ctx: Ctx, Query(q): Query<ReviewQuery>) -> Response {
    let jar = ctx.jar.clone();
    (jar, api_next_answer(State(app), ctx, Query(q)).await).into_response()
}

async fn api_next_answer(State(app): State<Arc<App>>, ctx: Ctx, Query(q): Query<ReviewQuery>) -> Response {
    let s = match ctx.require(Role::Reviewer) {
        Ok(s) => s.clone(),
        Err(d) => return api_denied(d),
    };
    let only = q.doc_type.as_deref().and_then(|t| t.parse::<DocumentType>().ok());
    if only.as_ref().is_some_and(|t| !s.allows(t)) {
        return api_denied(Denied::Forbidden);
    }
    match app.leases.next(&s.user, |t| s.allows(t) && only.as_ref().is_none_or(|o| o == t)).await {
        Ok(Some(l)) => {
            Json(json!({ "lease_id": l.id, "queue": l.queue, "item": l.item, "csrf": s.csrf })).into_response()
        }
        Ok(None) => Json(json!({ "lease_id": null })).into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "error": e.to_string() }))).into_response(),
    }
}

/// What a reviewer asked for, from the form or the API.
#[derive(Debug, Default, Deserialize)]
pub struct DecisionRequest {
    pub lease_id: Option<Uuid>,
    /// `validate` (accept, correct or re-type, from what changed), `accept`, `correct`, `retype`,
    /// `reject` or `release` (put the item back).
    pub action: String,
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    pub doc_type: Option<String>,
    pub reject_reason: Option<String>,
}

/// Turns a request into a decision on the leased item: only fields whose value changed count as
/// corrections, and a changed type makes it a re-type.
///
/// The form shows dates and amounts in French (`31/03/2025`, `1 234,56 €`); they are read back
/// into the stored form, so an untouched field is no correction and a corrected one is stored as
/// the route stage expects (`2025-03-31`, `1234.56`).
fn build_decision(
    tax: &Taxonomy,
    lease: &queues::Lease,
    user: &str,
    req: &DecisionRequest,
) -> Result<ReviewDecision, &'static str> {
    let item = &lease.item;
    let primary = item.outcome.primary();
    let machine_type = primary.map(|d| d.document.doc_type.clone());
    let mut corrections = BTreeMap::new();
    for (name, value) in &req.fields {
        let before = primary.and_then(|d| d.document.fields.get(name)).map(|f| f.value.as_str()).unwrap_or("");
        let kind = machine_type.as_ref().and_then(|t| tax.field(t.as_str(), name)).map(|f| f.kind).unwrap_or_default();
        if !i18n::same_value(kind, value, before) {
            corrections.insert(name.clone(), i18n::canonical_value(kind, value));
        }
    }
    let new_type = match req.doc_type.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Some(t.parse::<DocumentType>().map_err(|_| "unknown document type")?),
        None => None,
    }
    .filter(|t| Some(t) != machine_type.as_ref());
    let action = match req.action.as_str() {
        "reject" => Action::Reject,
        "validate" | "accept" | "correct" | "retype" if new_type.is_some() => Action::Retype,
        "validate" | "accept" | "correct" if !corrections.is_empty() => Action::Correct,
        "validate" | "accept" => Action::Accept,
        _ => return Err("unknown action"),
    };
    if action == Action::Reject {
        corrections.clear();
    }
    let d = ReviewDecision {
        decision_id: Uuid::new_v4(),
        document_id: item.document_id,
        action,
        reviewer: user.to_string(),
        decided_at: time::OffsetDateTime::now_utc(),
        corrections,
        new_type: if action == Action::Retype { new_type } else { None },
        reject_reason: req
            .reject_reason
            .as_ref()
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty() && action == Action::Reject),
        item: item.clone(),
    };
    d.validate().map_err(|e| match e {
        tamis_route::review::DecisionError::Incomplete { action: "reject", .. } => "reason",
        _ => "invalid",
    })?;
    Ok(d)
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// The search box: a document id leads to its history page. A case id is recognised but case
/// search waits for the case records (see [`history::Search`]).
async fn search(ctx: Ctx, Query(q): Query<SearchQuery>) -> Response {
    let s = match ctx.require(Role::Reviewer) {
        Ok(s) => s.clone(),
        Err(d) => return ctx.page_denied(d),
    };
    match history::Search::parse(&q.q) {
        history::Search::Document(id) => (ctx.jar, Redirect::to(&format!("/documents/{id}"))).into_response(),
        history::Search::Case(_) => {
            let body = pages::search(ctx.lang, &s, &q.q, Some(ctx.lang.t("case_search_later")));
            (StatusCode::NOT_IMPLEMENTED, ctx.jar, body).into_response()
        }
        history::Search::Empty => (ctx.jar, pages::search(ctx.lang, &s, "", None)).into_response(),
    }
}

/// Why a history is not shown.
enum HistoryDenied {
    Denied(Denied),
    /// No record of this document.
    NotFound,
    /// The blob store could not be read, or the look could not be recorded: nothing is shown
    /// unrecorded.
    Unavailable,
}

/// A document's history for `s`: reviewers whose scope covers a type the document had, and
/// admins; the look is recorded before the history is returned.
async fn history_for(app: &App, s: &Session, id: Uuid) -> Result<history::History, HistoryDenied> {
    let id = tamis_shared::DocumentId(id);
    let mut h = history::load(&app.blobs, &id).await.map_err(|e| {
        tracing::warn!(document_id = %id, error = %e, "document history unavailable");
        HistoryDenied::Unavailable
    })?;
    if h.entries.is_empty() && h.unreadable == 0 {
        return Err(HistoryDenied::NotFound);
    }
    let allowed = s.role >= Role::Admin || s.scope == auth::Scope::All || h.types().any(|t| s.allows(t));
    if !allowed {
        tracing::warn!(document_id = %id, user = %s.user, "history refused: the document type is outside the user's scope");
        return Err(HistoryDenied::Denied(Denied::Forbidden));
    }
    h.views = history::record_view(&app.blobs, &id, &s.user).await.map_err(|e| {
        tracing::warn!(document_id = %id, error = %e, "the look at a history could not be recorded; not shown");
        HistoryDenied::Unavailable
    })?;
    tracing::info!(document_id = %id, user = %s.user, "document history viewed");
    Ok(h)
}

async fn api_history(State(app): State<Arc<App>>, ctx: Ctx, Path(id): Path<Uuid>) -> Response {
    let s = match ctx.require(Role::Reviewer) {
        Ok(s) => s.clone(),
        Err(d) => return (ctx.jar, api_denied(d)).into_response(),
    };
    let answer = match history_for(&app, &s, id).await {
        Ok(h) => Json(h).into_response(),
        Err(HistoryDenied::Denied(d)) => api_denied(d),
        Err(HistoryDenied::NotFound) => {
            (StatusCode::NOT_FOUND, Json(json!({ "error": "no history for this document" }))).into_response()
        }
        Err(HistoryDenied::Unavailable) => {
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "error": "the blob store is unavailable; try again" })))
                .into_response()
        }
    };
    (ctx.jar, answer).into_response()
}

async fn history_page(State(app): State<Arc<App>>, ctx: Ctx, Path(id): Path<Uuid>) -> Response {
    let s = match ctx.require(Role::Reviewer) {
        Ok(s) => s.clone(),
        Err(d) => return ctx.page_denied(d),
    };
    match history_for(&app, &s, id).await {
        Ok(h) => (ctx.jar, pages::history(ctx.lang, &app.taxonomy, &s, &h)).into_response(),
        Err(HistoryDenied::Denied(d)) => ctx.page_denied(d),
        Err(HistoryDenied::NotFound) => {
            let body = pages::search(ctx.lang, &s, &id.to_string(), Some(ctx.lang.t("no_history")));
            (StatusCode::NOT_FOUND, ctx.jar, body).into_response()
        }
        Err(HistoryDenied::Unavailable) => {
            let body = pages::message(ctx.lang, Some(&s), ctx.lang.t("history_unavailable"));
            (StatusCode::SERVICE_UNAVAILABLE, ctx.jar, body).into_response()
        }
    }
}

/// Refuses a held item whose type is outside the user's scope (`403`, whoever holds it): the
/// scope is checked before whether the lease is theirs, so a refusal never depends on timing.
fn in_scope(app: &App, s: &Session, lease: Option<Uuid>) -> Result<(), Denied> {
    match lease.and_then(|id| app.leases.peek(id)) {
        Some(l) if !s.allows(&l.doc_type) => {
            tracing::warn!(document_id = %l.item.document_id, user = %s.user, "refused: the document type is outside the user's scope");
            Err(Denied::Forbidden)
        }
        _ => Ok(()),
    }
}

/// Applies a request for `user`; the error is a short code for the flash message.
async fn apply(app: &App, user: &str, req: &DecisionRequest) -> Result<(), String> {
    let lease_id = req.lease_id.ok_or("no lease")?;
    if req.action == "release" {
        return app.leases.release(lease_id, Some(user)).await.map_err(|e| e.to_string());
    }
    let lease = app.leases.get(lease_id, user).ok_or_else(|| queues::QueueError::NoLease(lease_id).to_string())?;
    let d = build_decision(&app.taxonomy, &lease, user, req).map_err(str::to_string)?;
    app.leases.decide(lease_id, user, &d).await.map_err(|e| e.to_string())?;
    tracing::info!(document_id = %d.document_id, action = d.action.as_str(), "review decision published");
    Ok(())
}

async fn decide_form(State(app): State<Arc<App>>, ctx: Ctx, Form(form): Form<Vec<(String, String)>>) -> Response {
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let s = match ctx.require(Role::Reviewer).and_then(|s| check_csrf(s, get("csrf").as_deref()).map(|_| s)) {
        Ok(s) => s.clone(),
        Err(d) => return ctx.page_denied(d),
    };
    let req = DecisionRequest {
        lease_id: get("lease").and_then(|l| l.parse().ok()),
        action: get("action").unwrap_or_default(),
        fields: form.iter().filter_map(|(k, v)| k.strip_prefix("f.").map(|k| (k.to_string(), v.clone()))).collect(),
        doc_type: get("doc_type"),
        reject_reason: get("reject_reason"),
    };
    if let Err(d) = in_scope(&app, &s, req.lease_id) {
        return ctx.page_denied(d);
    }
    let to = match apply(&app, &s.user, &req).await {
        Ok(()) => "/review?done=1".to_string(),
        Err(e) if e == "reason" => "/review?error=reason".to_string(),
        Err(e) => {
            tracing::warn!(error = %e, "review decision not applied");
            "/review?error=1".to_string()
        }
    };
    (ctx.jar, Redirect::to(&to)).into_response()
}

async fn api_decision(State(app): State<Arc<App>>, ctx: Ctx, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let jar = ctx.jar.clone();
    (jar, api_decision_answer(State(app), ctx, headers, body).await).into_response()
}

async fn api_decision_answer(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let token = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
    let s = match ctx.require(Role::Reviewer).and_then(|s| check_csrf(s, token).map(|_| s)) {
        Ok(s) => s.clone(),
        Err(d) => return api_denied(d),
    };
    // The answer names the JSON path at fault, not the value (it may be a field's value).
    let req: DecisionRequest = match tamis_shared::error::parse_message(&body) {
        Ok(r) => r,
        Err(e) => return (StatusCode::BAD_REQUEST, Json(json!({ "error": e.to_string() }))).into_response(),
    };
    if let Err(d) = in_scope(&app, &s, req.lease_id) {
        return api_denied(d);
    }
    match apply(&app, &s.user, &req).await {
        Ok(()) => Json(json!({ "ok": true })).into_response(),
        Err(e) => (StatusCode::CONFLICT, Json(json!({ "error": e }))).into_response(),
    }
}

async fn page_image(State(app): State<Arc<App>>, ctx: Ctx, Path((lease, page)): Path<(Uuid, String)>) -> Response {
    let jar = ctx.jar.clone();
    (jar, page_image_answer(State(app), ctx, Path((lease, page))).await).into_response()
}

async fn page_image_answer(
    State(app): State<Arc<App>>,
    ctx: Ctx,
    Path((lease, page)): Path<(Uuid, String)>,
) -> Response {
    let s = match ctx.require(Role::Reviewer) {
        Ok(s) => s.clone(),
        Err(d) => return api_denied(d),
    };
    let Some(page) = page.strip_suffix(".png").and_then(|p| p.parse::<u32>().ok()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if let Err(d) = in_scope(&app, &s, Some(lease)) {
        return api_denied(d);
    }
    // Only the reviewer holding the item sees its pages.
    let Some(l) = app.leases.get(lease, &s.user) else { return StatusCode::NOT_FOUND.into_response() };
    let bytes = match app.blobs.get(&l.item.blob).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(document_id = %l.item.document_id, error = %e, "page image unavailable");
            return StatusCode::BAD_GATEWAY.into_response();
        }
    };
    let rotation = l.item.pages.iter().find(|p| p.number == page).map(|p| p.rotation).unwrap_or(0);
    let media = l.item.blob.media_type;
    let limits = app.images.clone();
    match tokio::task::spawn_blocking(move || render::page_png(&bytes, media, page, rotation, &limits)).await {
        Ok(Ok(png)) => {
            ([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, "no-store")], png).into_response()
        }
        _ => {
            tracing::warn!(document_id = %l.item.document_id, page, "page could not be rendered");
            StatusCode::UNPROCESSABLE_ENTITY.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_address_is_the_rightmost_one_our_proxies_did_not_write() {
        let proxies: Vec<ProxyNet> = ["10.0.0.0/8"].iter().filter_map(|p| ProxyNet::parse(p)).collect();
        let with = |values: &[&str]| {
            let mut h = HeaderMap::new();
            for v in values {
                h.append("x-forwarded-for", header::HeaderValue::from_str(v).unwrap());
            }
            forwarded_client(&h, "X-Forwarded-For", &proxies)
        };
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        // The client wrote the first entry itself: it does not decide its address.
        assert_eq!(with(&["6.6.6.6, 203.0.113.5, 10.1.1.1"]), ip("203.0.113.5"));
        assert_eq!(with(&["6.6.6.6", "203.0.113.5:4711"]), ip("203.0.113.5"));
        assert_eq!(with(&["[2001:db8::1]:443"]), ip("2001:db8::1"));
        assert_eq!(with(&["10.2.2.2, 10.1.1.1"]), ip("10.2.2.2"), "only proxies: the first");
        assert_eq!(with(&["203.0.113.5, not-an-address"]), None, "garbage: the peer's address is used");
        assert_eq!(with(&[]), None);
    }

    #[test]
    fn every_route_has_its_handler_and_hsts_can_be_off() {
        for r in ROUTES {
            let _ = handler(r);
        }
        assert_eq!(hsts_value(0), None);
        assert_eq!(hsts_value(60).unwrap(), "max-age=60");
    }
}
