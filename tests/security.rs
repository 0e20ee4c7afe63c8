//! The console attacked, against the real `tamis console` process and real RabbitMQ: every route
//! of `tamis_console::ROUTES` refuses the unauthenticated, reviewer routes refuse viewers, forged
//! requests (no CSRF token) are refused, every response carries the security headers, wrong
//! passwords bring `429` with `Retry-After` and a lockout that ends, a trusted proxy's session
//! ends when its user header changes, and 48 parallel wrong sign-ins leave the console's peak
//! RSS (VmHWM, from /proc) under 300 MB.

mod common;

use common::*;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};
use tamis_console::auth::Role;
use tamis_console::{Access, ROUTES};

/// The console's peak RSS must stay under this through 48 parallel wrong sign-ins (issue 21).
const MAX_PEAK_RSS_KB: u64 = 300 * 1024;

/// A reviewer (rita) and a viewer (vera), with passwords or (`None`) for the trusted proxy only.
fn users_file(dir: &Path, passwords: Option<(&str, &str)>) -> PathBuf {
    let line = |pw: Option<&str>| pw.map(|p| format!("password_hash = \"{}\"\n", hash_password(p))).unwrap_or_default();
    let text = format!(
        "[[users]]\nname = \"rita\"\nrole = \"reviewer\"\n{}\n[[users]]\nname = \"vera\"\nrole = \"viewer\"\n{}",
        line(passwords.map(|p| p.0)),
        line(passwords.map(|p| p.1)),
    );
    let p = dir.join("users.toml");
    std::fs::write(&p, text).unwrap();
    p
}

/// A running console, stopped (SIGKILL) on drop.
struct Console {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Console {
    /// Starts `tamis console` with `config` (TOML) and the environment given.
    fn start(ns: &Namespace, dir: tempfile::TempDir, users: &Path, config: &str, env: &[(&str, &str)]) -> Console {
        let cfg = dir.path().join("tamis.toml");
        std::fs::write(&cfg, config).unwrap();
        let log = dir.path().join("console.log");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut c = tamis();
        ns.apply(&mut c)
            .env("TAMIS_CONFIG", &cfg)
            .env("TAMIS_CONSOLE_USERS", users)
            .envs(env.iter().copied())
            .args(["console", "--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        let mut child = c.spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(s) = child.try_wait().unwrap() {
                panic!("the console exited ({s}): {}", std::fs::read_to_string(&log).unwrap_or_default());
            }
            assert!(Instant::now() < deadline, "the console never listened");
            std::thread::sleep(Duration::from_millis(100));
        }
        Console { child, port, log, _dir: dir }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// `VmHWM` (peak resident set) of the console process, in kB.
    fn peak_rss_kb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM in /proc/PID/status");
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    fn get(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        request(self.port, "GET", path, headers, None)
    }

    fn post_form(&self, path: &str, headers: &[(&str, &str)], body: &str) -> Resp {
        let mut h = headers.to_vec();
        h.push(("Content-Type", "application/x-www-form-urlencoded"));
        request(self.port, "POST", path, &h, Some(body))
    }

    /// The login form's CSRF cookie (as `name=value`) and token.
    fn login_form(&self) -> (String, String) {
        let r = self.get("/login", &[]);
        assert_eq!(r.status, 200, "{}", r.body);
        (r.cookie("tamis_login_csrf").expect("a login CSRF cookie"), form_csrf(&r.body))
    }

    /// Posts the sign-in form for `user` with `extra` headers.
    fn sign_in(&self, user: &str, password: &str, extra: &[(&str, &str)]) -> Resp {
        let (cookie, token) = self.login_form();
        let mut h = vec![("Cookie", cookie.as_str())];
        h.extend_from_slice(extra);
        self.post_form("/login", &h, &format!("username={user}&password={password}&csrf={token}"))
    }

    /// A signed-in session: its cookie (`name=value`) and CSRF token.
    fn session(&self, user: &str, password: &str) -> (String, String) {
        let r = self.sign_in(user, password, &[]);
        assert_eq!(r.status, 303, "{user} signs in: {}", r.body);
        let cookie = r.cookie("tamis_session").expect("a session cookie");
        let page = self.get("/dashboard", &[("Cookie", &cookie)]);
        assert_eq!(page.status, 200);
        (cookie, form_csrf(&page.body))
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Resp {
    status: u16,
    /// Names in lower case.
    headers: Vec<(String, String)>,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// A cookie set by the response, as `name=value`, unless it is being removed.
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k == "set-cookie")
            .map(|(_, v)| v.split(';').next().unwrap().trim().to_string())
            .find(|c| c.starts_with(&format!("{name}=")) && c.len() > name.len() + 1)
    }

    /// Refused to someone not signed in: 401/403, or sent to the sign-in page.
    fn refused(&self) -> bool {
        matches!(self.status, 401 | 403) || (self.status == 303 && self.header("location") == Some("/login"))
    }
}

/// One HTTP/1.1 request, connection closed after.
fn request(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&str>) -> Resp {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect to the console");
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let extra: String = headers.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
    let body = body.unwrap_or("");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|c| c.parse().ok()).unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Resp { status, headers, body: body.to_string() }
}

/// The CSRF token of the first form of a page.
fn form_csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a form with a CSRF token") + 19;
    html[at..].split('"').next().unwrap().to_string()
}

/// The headers every response must carry; `hsts` is the expected Strict-Transport-Security.
fn assert_security_headers(what: &str, r: &Resp, hsts: Option<&str>) {
    let csp = r.header("content-security-policy").unwrap_or_default();
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{what}: CSP {csp:?}");
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"), "{what}");
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"), "{what}");
    let pp = r.header("permissions-policy").unwrap_or_default();
    for feature in ["camera=()", "microphone=()", "geolocation=()", "payment=()"] {
        assert!(pp.contains(feature), "{what}: Permissions-Policy {pp:?} lacks {feature}");
    }
    assert_eq!(r.header("strict-transport-security"), hsts, "{what}");
    assert!(r.header("cache-control").is_some(), "{what}: no Cache-Control");
}

/// A path of `ROUTES` with its parameters filled in.
fn concrete(path: &str) -> String {
    path.replace("{lease}", &uuid::Uuid::new_v4().to_string())
        .replace("{page}", "1.png")
        .replace("{id}", &uuid::Uuid::new_v4().to_string())
}

/// Sends what a browser or API client would to a route, with `cookie` and `csrf` if given.
fn call(c: &Console, method: &str, path: &str, cookie: Option<&str>, csrf: Option<&str>) -> Resp {
    let mut h: Vec<(&str, &str)> = cookie.map(|c| vec![("Cookie", c)]).unwrap_or_default();
    let path = concrete(path);
    match (method, path.starts_with("/api/")) {
        ("GET", _) => c.get(&path, &h),
        ("POST", true) => {
            if let Some(t) = csrf {
                h.push(("X-CSRF-Token", t));
            }
            h.push(("Content-Type", "application/json"));
            let body = format!(r#"{{"lease_id":"{}","action":"accept"}}"#, uuid::Uuid::new_v4());
            request(c.port, "POST", &path, &h, Some(&body))
        }
        ("POST", false) => {
            let body = format!("csrf={}&lease={}&action=accept", csrf.unwrap_or(""), uuid::Uuid::new_v4());
            c.post_form(&path, &h, &body)
        }
        (m, _) => panic!("the test does not know how to call {m} {path}: teach it"),
    }
}

#[test]
fn every_route_refuses_strangers_viewers_and_forged_requests_and_sends_the_security_headers() {
    let ns = Namespace::new("security-routes");
    let dir = tempfile::tempdir().unwrap();
    let users = users_file(dir.path(), Some(("review pw", "view pw")));
    let c = Console::start(&ns, dir, &users, "", &[]);
    let hsts = Some("max-age=31536000");

    // The public routes are exactly these: a route made public must be added here on purpose.
    let public: Vec<String> =
        ROUTES.iter().filter(|r| r.access == Access::Public).map(|r| format!("{} {}", r.method, r.path)).collect();
    assert_eq!(
        public,
        ["GET /", "GET /login", "POST /login", "GET /assets/console.css", "GET /assets/console.js"],
        "public routes changed: check that they need no sign-in, then update this list"
    );
    let (viewer, viewer_csrf) = c.session("vera", "view%20pw");
    for r in ROUTES {
        let what = format!("{} {}", r.method, r.path);
        let anon = call(&c, r.method, r.path, None, Some("not-a-token"));
        assert_security_headers(&what, &anon, hsts);
        match r.access {
            Access::Public => assert!(anon.status < 500, "{what}: {}", anon.status),
            // Signing the viewer out here would spoil the rest of the loop: logout is below.
            Access::Signed(_) if r.path == "/logout" => assert!(anon.refused(), "{what}: {}", anon.status),
            Access::Signed(role) => {
                assert!(anon.refused(), "{what} answered {} to someone not signed in: {}", anon.status, anon.body);
                assert!(anon.cookie("tamis_session").is_none(), "{what} opened a session for a stranger");
                // A viewer, with a valid session and a valid CSRF token, on reviewer routes.
                let v = call(&c, r.method, r.path, Some(&viewer), Some(&viewer_csrf));
                assert_security_headers(&format!("{what} (viewer)"), &v, hsts);
                if role >= Role::Reviewer {
                    assert_eq!(v.status, 403, "{what} let a viewer through: {}", v.body);
                } else if r.method == "GET" {
                    assert_eq!(v.status, 200, "{what} refused a viewer");
                }
            }
        }
    }
    // Unknown paths and static assets carry the same headers.
    assert_security_headers("404", &c.get("/nothing-here", &[]), hsts);

    // CSRF: the sign-in form without its token, or with another one.
    let (cookie, token) = c.login_form();
    for body in ["username=rita&password=review%20pw".to_string(), "username=rita&password=review%20pw&csrf=0f".into()]
    {
        let r = c.post_form("/login", &[("Cookie", &cookie)], &body);
        assert_eq!(r.status, 403, "sign-in without the form's token: {}", r.body);
        assert!(r.cookie("tamis_session").is_none());
    }
    let r = c.post_form("/login", &[], &format!("username=rita&password=review%20pw&csrf={token}"));
    assert_eq!(r.status, 403, "the token without its cookie (another site's form)");
    // A reviewer's session: state-changing requests without the session's token are refused.
    let (reviewer, csrf) = c.session("rita", "review%20pw");
    for (method, path) in [("POST", "/logout"), ("POST", "/review/decide"), ("POST", "/api/review/decision")] {
        for token in [None, Some("0000"), Some(viewer_csrf.as_str())] {
            let r = call(&c, method, path, Some(&reviewer), token);
            assert_eq!(r.status, 403, "{method} {path} with token {token:?}: {} {}", r.status, r.body);
        }
    }
    assert_eq!(c.get("/review", &[("Cookie", &reviewer)]).status, 200, "the session survived the forged logout");
    let r = call(&c, "POST", "/logout", Some(&reviewer), Some(&csrf));
    assert_eq!((r.status, r.header("location")), (303, Some("/login")));
    assert!(c.get("/review", &[("Cookie", &reviewer)]).refused(), "signed out");
    ns_cleanup(ns);
}

#[test]
fn wrong_passwords_bring_429_with_retry_after_then_a_lockout_that_ends() {
    let ns = Namespace::new("security-throttle");
    let dir = tempfile::tempdir().unwrap();
    let users = users_file(dir.path(), Some(("review pw", "view pw")));
    // Short windows so that the test takes seconds; no HSTS (the setting is honoured).
    let config = "[console]\nhsts_max_age_secs = 0\n[console.login]\naccount_backoff_after = 2\n\
                  account_lockout_after = 4\naddress_backoff_after = 6\naddress_lockout_after = 40\n\
                  backoff_secs = 1\nlockout_secs = 4\n";
    let c = Console::start(&ns, dir, &users, config, &[]);
    // Not a trusted proxy: its forwarded header must not decide the source address.
    let spoof = [("X-Forwarded-For", "203.0.113.9")];
    let wrong = |n: u32| c.sign_in("rita", &format!("guess-{n}"), &spoof);
    let failed = |r: &Resp| r.status == 303 && r.header("location") == Some("/login?failed=1");
    let retry_after = |r: &Resp| -> u64 {
        assert_eq!(r.status, 429, "{}", r.body);
        assert_security_headers("429", r, None);
        r.header("retry-after").expect("Retry-After").parse().unwrap()
    };
    assert!(failed(&wrong(1)) && failed(&wrong(2)));
    // Backoff: the next attempt, even with the right password, is refused unchecked.
    let r = c.sign_in("rita", "review%20pw", &[]);
    let wait = retry_after(&r);
    assert_eq!(wait, 1);
    assert!(r.cookie("tamis_session").is_none());
    std::thread::sleep(Duration::from_millis(wait * 1000 + 100));
    assert!(failed(&wrong(3)));
    let wait = retry_after(&wrong(4));
    assert_eq!(wait, 2, "the backoff doubles");
    std::thread::sleep(Duration::from_millis(wait * 1000 + 100));
    assert!(failed(&wrong(5)), "the fourth failure is counted, and locks the account out");
    let wait = retry_after(&c.sign_in("rita", "review%20pw", &[]));
    let locked_at = Instant::now();
    assert!((3..=4).contains(&wait), "locked out for lockout_secs: Retry-After {wait}");
    // Another account from the same address is not locked out (the address has 4 failures)...
    assert_eq!(c.sign_in("vera", "view%20pw", &[]).status, 303);
    // ...until the address itself reaches address_backoff_after = 6, over other accounts.
    assert!(failed(&c.sign_in("x1", "a", &[])) && failed(&c.sign_in("x2", "b", &[])));
    retry_after(&c.sign_in("x3", "c", &[]));
    // The lockout ends: the right password works again.
    std::thread::sleep(Duration::from_millis(wait * 1000 + 200).saturating_sub(locked_at.elapsed()));
    let r = c.sign_in("rita", "review%20pw", &[]);
    assert_eq!((r.status, r.header("location")), (303, Some("/review")), "{}", r.body);

    let log = c.log();
    let refusals: Vec<serde_json::Value> = log
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["message"].as_str().is_some_and(|m| m.starts_with("console sign-in refused")))
        .collect();
    assert_eq!(refusals.len(), 6, "one refusal line per wrong password:\n{log}");
    for e in &refusals {
        assert!(e["account"].as_str().is_some_and(|a| ["rita", "x1", "x2"].contains(&a)), "{e}");
        assert_eq!(e["source"], "127.0.0.1", "the peer's address, not the spoofed header: {e}");
    }
    for secret in ["guess-", "review pw", "review%20pw", "view pw"] {
        assert!(!log.contains(secret), "a password reached the log: {secret}");
    }
    ns_cleanup(ns);
}

#[test]
fn memory_stays_bounded_under_48_parallel_wrong_sign_ins() {
    let ns = Namespace::new("security-memory");
    let dir = tempfile::tempdir().unwrap();
    let users = users_file(dir.path(), Some(("review pw", "view pw")));
    // Behind a trusted proxy (this test), whose header gives each guess its own address: a
    // distributed attack, which only the bound on concurrent password checks holds back.
    // Every guess waits for its check (a loaded machine must not turn them into 503s): the
    // bound is on the checks running at once, which is what the memory follows.
    let config = "[console]\ntrusted_proxies = [\"127.0.0.1\"]\nclient_address_header = \"X-Forwarded-For\"\n\
                  [console.login]\nhash_wait_ms = 60000\n";
    let c = Console::start(&ns, dir, &users, config, &[]);
    let (cookie, token) = c.login_form();
    let c = &c;
    let burst = |account: &dyn Fn(usize) -> String, address: &dyn Fn(usize) -> String| -> Vec<Resp> {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..48)
                .map(|i| {
                    let (cookie, body) = (&cookie, format!("username={}&password=wrong-{i}&csrf={token}", account(i)));
                    let addr = address(i);
                    s.spawn(move || {
                        let h = [("Cookie", cookie.as_str()), ("X-Forwarded-For", addr.as_str())];
                        c.post_form("/login", &h, &body)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        })
    };
    let before = c.peak_rss_kb();
    let spread = burst(&|i| format!("user{i}"), &|i| format!("198.51.100.{i}"));
    let peak = c.peak_rss_kb();
    eprintln!("console peak RSS: {before} kB at start, {peak} kB after 48 parallel wrong sign-ins");
    assert!(peak < MAX_PEAK_RSS_KB, "peak RSS {peak} kB through 48 parallel wrong sign-ins");
    for r in &spread {
        assert_eq!((r.status, r.header("location")), (303, Some("/login?failed=1")), "each guess checked: {}", r.body);
    }
    // The same guesser on one account from one address: throttled before any check.
    let focused = burst(&|_| "rita".into(), &|_| "203.0.113.7".into());
    let throttled = focused.iter().filter(|r| r.status == 429 && r.header("retry-after").is_some()).count();
    assert!(throttled >= 44, "{throttled} of 48 parallel guesses on one account got 429");
    let peak = c.peak_rss_kb();
    assert!(peak < MAX_PEAK_RSS_KB, "peak RSS {peak} kB");
    // The forwarded address of the trusted proxy is the one logged.
    let log = c.log();
    assert!(log.contains("\"source\":\"198.51.100.17\""), "{log}");
    assert!(!log.contains("wrong-"), "a password reached the log");
    ns_cleanup(ns);
}

#[test]
fn a_trusted_proxy_session_ends_when_the_proxy_user_header_changes() {
    let ns = Namespace::new("security-proxy");
    let dir = tempfile::tempdir().unwrap();
    let users = users_file(dir.path(), None);
    let c = Console::start(&ns, dir, &users, "", &[("TAMIS_CONSOLE_TRUSTED_HEADER", "X-Forwarded-User")]);
    let as_rita = c.get("/review", &[("X-Forwarded-User", "rita")]);
    assert_eq!(as_rita.status, 200, "{}", as_rita.body);
    let rita = as_rita.cookie("tamis_session").expect("a session for the proxy's user");
    let csrf = form_csrf(&as_rita.body);
    let r = c.get("/review", &[("X-Forwarded-User", "rita"), ("Cookie", &rita)]);
    assert_eq!((r.status, r.cookie("tamis_session")), (200, None), "the same session goes on");

    // A viewer's header with the reviewer's cookie: the viewer, not the reviewer.
    let swapped = [("X-Forwarded-User", "vera"), ("Cookie", rita.as_str())];
    let r = c.get("/review", &swapped);
    assert_eq!(r.status, 403, "the reviewer's session outlived the header change: {}", r.body);
    assert!(r.cookie("tamis_session").is_some_and(|v| v != rita), "the viewer gets a session of their own");
    let form = format!("csrf={csrf}&lease={}&action=release", uuid::Uuid::new_v4());
    assert_eq!(c.post_form("/review/decide", &swapped, &form).status, 403);
    let mut h = swapped.to_vec();
    h.extend([("X-CSRF-Token", csrf.as_str()), ("Content-Type", "application/json")]);
    let r = request(c.port, "POST", "/api/review/decision", &h, Some(r#"{"action":"release"}"#));
    assert_eq!(r.status, 403, "a decision with the reviewer's cookie and token under the viewer's header");
    // The reviewer's session is gone for good, even under the reviewer's own header.
    let r = c.get("/review", &[("X-Forwarded-User", "rita"), ("Cookie", &rita)]);
    assert_eq!(r.status, 200);
    let again = r.cookie("tamis_session").expect("a fresh session");
    assert_ne!(again, rita, "a fresh session, not the ended one");
    // The header goes away (the request did not come through the proxy's sign-in): no session.
    assert!(c.get("/review", &[("Cookie", &again)]).refused());
    let r = c.get("/review", &[("X-Forwarded-User", "rita"), ("Cookie", &again)]);
    assert!(r.cookie("tamis_session").is_some_and(|v| v != again), "the session ended when the header went away");
    assert!(c.log().contains("the proxy's user header changed"));
    ns_cleanup(ns);
}

fn ns_cleanup(ns: Namespace) {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(ns.cleanup());
}
