//! What the console's integration tests share: publishing to the review exchange and removing a
//! test prefix's topology, over a plain lapin connection to the local RabbitMQ; users, signing in
//! through the login form, and requests to the console's router.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use lapin::options::{BasicPublishOptions, QueueDeleteOptions};
use lapin::{BasicProperties, Channel};
use serde_json::Value;
use std::path::{Path, PathBuf};
use tower::ServiceExt;

/// The local test broker.
pub const AMQP_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

/// Publishes `body` as a persistent review item of type `payslip` under `prefix`, broker-confirmed.
/// Straight through lapin, as a publisher other than Tamis would: no journal entry.
pub async fn publish_review_item(ch: &Channel, prefix: &str, body: &[u8]) {
    publish_review_item_to(ch, prefix, "payslip", body).await
}

/// As `publish_review_item`, to the review queue of `doc_type`.
pub async fn publish_review_item_to(ch: &Channel, prefix: &str, doc_type: &str, body: &[u8]) {
    // Confirmed, so the item is in its queue before the test reads the console (without a
    // confirm a depth read right after could see 0). confirm.select again on a channel is a no-op.
    ch.confirm_select(lapin::options::ConfirmSelectOptions::default()).await.unwrap();
    let confirm = ch
        .basic_publish(
            format!("{prefix}.review").as_str().into(),
            doc_type.into(),
            BasicPublishOptions::default(),
            body,
            BasicProperties::default().with_delivery_mode(2),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    assert!(confirm.is_ack(), "the broker refused the review item published to {prefix}.review/{doc_type}");
}

/// Deletes every queue and exchange of `prefix`.
pub async fn delete_topology(ch: &Channel, prefix: &str) {
    let t = tamis_shared::topology::Topology::new(prefix, 5);
    for q in t.queues(&[]) {
        let _ = ch.queue_delete(q.name.as_str().into(), QueueDeleteOptions::default()).await;
    }
    for e in t.exchanges() {
        let _ = ch.exchange_delete(e.name.as_str().into(), Default::default()).await;
    }
}

/// The review item example of `schemas/examples/`.
pub fn example_item() -> Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas/examples/review_item.v1.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// A users file in `dir` with the viewer `vera` (password `viewer pass`) and the reviewer `rita`
/// (`reviewer pass`).
pub fn users_file(dir: &Path) -> PathBuf {
    let users = dir.join("users.toml");
    let h = |p| tamis_console::auth::hash_password(p).unwrap();
    std::fs::write(
        &users,
        format!(
            "[[users]]\nname = \"vera\"\nrole = \"viewer\"\npassword_hash = \"{}\"\n\n[[users]]\nname = \"rita\"\nrole = \"reviewer\"\npassword_hash = \"{}\"\n",
            h("viewer pass"),
            h("reviewer pass")
        ),
    )
    .unwrap();
    users
}

/// Sends one request to the console: (status, Set-Cookie values, body).
pub async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, Vec<String>, String) {
    let r = app.clone().oneshot(req).await.unwrap();
    let status = r.status();
    let cookies = r.headers().get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_string()).collect();
    let body = String::from_utf8_lossy(&r.into_body().collect().await.unwrap().to_bytes()).into_owned();
    (status, cookies, body)
}

/// Signs in through the login form (with its CSRF cookie) and returns the session cookie and
/// the session's CSRF token.
pub async fn sign_in(app: &axum::Router, user: &str, password: &str) -> (String, String) {
    let (_, cookies, html) = send(app, Request::get("/login").body(Body::empty()).unwrap()).await;
    let login_cookie = cookies
        .iter()
        .find(|c| c.starts_with("tamis_login_csrf="))
        .expect("login CSRF cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let token = csrf_in(&html);
    let form = format!("username={user}&password={}&csrf={token}", password.replace(' ', "+"));
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &login_cookie)
        .body(Body::from(form))
        .unwrap();
    let (status, cookies, _) = send(app, req).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let session = cookies.iter().find(|c| c.starts_with("tamis_session=")).expect("a session cookie").clone();
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Strict") && session.contains("Secure"),
        "{session}"
    );
    let session = session.split(';').next().unwrap().to_string();
    let (_, _, html) = send(app, get("/dashboard", &session)).await;
    (session, csrf_in(&html))
}

/// The CSRF token of the first form of a page.
pub fn csrf_in(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a CSRF field in the page") + 19;
    html[at..at + 64].to_string()
}

/// A GET with the session cookie.
pub fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).unwrap()
}
