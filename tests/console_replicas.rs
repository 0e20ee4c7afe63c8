//! Two `tamis console` processes with the same session key behave as one console behind a
//! Service: a reviewer signs in through one and is signed in on the other; signing out through
//! the second ends the session on the first too (the revocation goes through the shared blob
//! store). A third process with another key does not accept the session. Real RabbitMQ, real
//! processes, plain HTTP/1.1 over TCP.

mod common;

use common::*;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// One HTTP/1.1 exchange: (status, Set-Cookie values, body).
fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, Vec<String>, String) {
    let mut s = std::net::TcpStream::connect(addr).expect("connect to the console");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let cookies = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| v.trim().to_string())
        .collect();
    (status, cookies, body.to_string())
}

/// The `name=value` part of the Set-Cookie for `name`.
fn cookie(cookies: &[String], name: &str) -> String {
    let c = cookies
        .iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie in {cookies:?}"));
    c.split(';').next().unwrap().to_string()
}

fn csrf_in(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a CSRF field in the page") + 19;
    html[at..at + 64].to_string()
}

fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap()
}

/// Starts a console on a free port with `key_file`; waits until it answers.
fn console(
    ns: &Namespace,
    users: &std::path::Path,
    key_file: &std::path::Path,
    log: &std::path::Path,
) -> (Worker, SocketAddr) {
    let addr = free_addr();
    let mut c = tamis();
    ns.apply(&mut c)
        .env("TAMIS_CONSOLE_USERS", users)
        .env("TAMIS_CONSOLE_SESSION_KEY_FILE", key_file)
        .args(["console", "--listen", &addr.to_string()])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap());
    let w = Worker(c.spawn().unwrap());
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(addr).is_err() {
        assert!(
            Instant::now() < deadline,
            "the console never listened: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (w, addr)
}

#[test]
fn a_session_opened_on_one_console_holds_on_another_until_sign_out() {
    let ns = Namespace::new("console-replicas");
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users.toml");
    std::fs::write(
        &users,
        format!(
            "[[users]]\nname = \"rita\"\nrole = \"reviewer\"\npassword_hash = \"{}\"\n",
            hash_password("s3cret review")
        ),
    )
    .unwrap();
    let random_key = || format!("{}{}\n", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
    let (key, other_key) = (dir.path().join("session.key"), dir.path().join("other.key"));
    std::fs::write(&key, random_key()).unwrap();
    std::fs::write(&other_key, random_key()).unwrap();
    let (_a, a) = console(&ns, &users, &key, &dir.path().join("a.log"));
    let (_b, b) = console(&ns, &users, &key, &dir.path().join("b.log"));
    let (_c, c) = console(&ns, &users, &other_key, &dir.path().join("c.log"));

    // Sign in through A.
    let (status, cookies, html) = http(a, "GET", "/login", &[], "");
    assert_eq!(status, 200);
    let login_csrf = cookie(&cookies, "tamis_login_csrf");
    let form = format!("username=rita&password=s3cret+review&csrf={}", csrf_in(&html));
    let (status, cookies, _) = http(
        a,
        "POST",
        "/login",
        &[("Cookie", &login_csrf), ("Content-Type", "application/x-www-form-urlencoded")],
        &form,
    );
    assert_eq!(status, 303);
    let session = cookie(&cookies, "tamis_session");

    // B knows the session: the reviewer's API and pages answer; C (another key) does not.
    for path in ["/api/dashboard", "/api/review/next"] {
        let (status, _, body) = http(b, "GET", path, &[("Cookie", &session)], "");
        assert_eq!(status, 200, "GET {path} on the other console: {body}");
    }
    let (status, _, _) = http(c, "GET", "/api/dashboard", &[("Cookie", &session)], "");
    assert_eq!(status, 401, "a console with another key does not accept the session");

    // Sign out through B, with the CSRF token of B's page: A refuses the same cookie after.
    let (status, _, html) = http(b, "GET", "/dashboard", &[("Cookie", &session)], "");
    assert_eq!(status, 200);
    let form = format!("csrf={}", csrf_in(&html));
    let (status, cookies, _) = http(
        b,
        "POST",
        "/logout",
        &[("Cookie", &session), ("Content-Type", "application/x-www-form-urlencoded")],
        &form,
    );
    assert_eq!(status, 303);
    assert!(
        cookies.iter().any(|c| c.starts_with("tamis_session=;")
            || c.starts_with("tamis_session=\"\"")
            || c.contains("Max-Age=0")),
        "{cookies:?}"
    );
    for (name, addr) in [("A", a), ("B", b)] {
        let (status, _, _) = http(addr, "GET", "/api/dashboard", &[("Cookie", &session)], "");
        assert_eq!(status, 401, "console {name} still accepts a signed-out session");
    }
}
