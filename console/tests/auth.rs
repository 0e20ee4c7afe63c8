//! Who sees and decides what, against a real RabbitMQ (per-test prefix): unauthenticated requests
//! get no document data, a viewer cannot decide, a post without the CSRF token is refused, and a
//! review item stays in its queue until a decision is confirmed.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
mod common;

use common::*;
use lapin::options::QueueDeclareOptions;
use lapin::types::FieldTable;
use lapin::{Connection, ConnectionProperties};
use serde_json::Value;
use tamis_shared::config::Config;

struct Fixture {
    app: axum::Router,
    prefix: String,
    _dir: tempfile::TempDir,
    /// Strings of the queued item that must never reach someone who may not see them.
    secrets: Vec<String>,
}

impl Fixture {
    async fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let users = users_file(dir.path());
        let prefix = format!("tamis-test-console-auth-{}", uuid::Uuid::new_v4().simple());
        let mut config = Config::default();
        config.amqp.url = AMQP_URL.into();
        config.amqp.prefix = prefix.clone();
        config.blob.url = dir.path().join("blobs").display().to_string();
        config.console.users_file = Some(users);
        let app = tamis_console::App::connect(&config).await.expect("RabbitMQ must run on 127.0.0.1:5672");
        let item = example_item();
        let conn = Connection::connect(AMQP_URL, ConnectionProperties::default()).await.unwrap();
        let ch = conn.create_channel().await.unwrap();
        publish_review_item(&ch, &prefix, &serde_json::to_vec(&item).unwrap()).await;
        let f = &item["outcome"]["documents"][0]["fields"];
        let secrets = vec![
            item["document_id"].as_str().unwrap().to_string(),
            f["employee_name"]["value"].as_str().unwrap().to_string(),
            f["nir"]["value"].as_str().unwrap().to_string(),
            item["file_name"].as_str().unwrap().to_string(),
        ];
        Fixture { app: tamis_console::router(app), prefix, _dir: dir, secrets }
    }

    async fn send(&self, req: Request<Body>) -> (StatusCode, Vec<String>, String) {
        send(&self.app, req).await
    }

    fn assert_no_document_data(&self, what: &str, body: &str) {
        for s in &self.secrets {
            assert!(!body.contains(s.as_str()), "{what}: the response shows document data ({s})");
        }
    }

    async fn sign_in(&self, user: &str, password: &str) -> (String, String) {
        sign_in(&self.app, user, password).await
    }

    async fn depth(&self, suffix: &str) -> u32 {
        let conn = Connection::connect(AMQP_URL, ConnectionProperties::default()).await.unwrap();
        let ch = conn.create_channel().await.unwrap();
        let name = format!("{}.{}", self.prefix, suffix);
        let q = ch
            .queue_declare(
                name.as_str().into(),
                QueueDeclareOptions { passive: true, ..Default::default() },
                FieldTable::default(),
            )
            .await
            .unwrap();
        q.message_count()
    }

    async fn cleanup(&self) {
        let conn = Connection::connect(AMQP_URL, ConnectionProperties::default()).await.unwrap();
        let ch = conn.create_channel().await.unwrap();
        delete_topology(&ch, &self.prefix).await;
    }
}

#[tokio::test]
async fn roles_sessions_and_csrf_guard_the_review_data() {
    let fx = Fixture::new().await;
    let lease = uuid::Uuid::new_v4();
    let page = format!("/review/page/{lease}/1.png");

    // Nobody signed in: every page and API call is refused without document data.
    for path in
        ["/", "/dashboard", "/review", "/api/dashboard", "/api/review/next", page.as_str(), "/review?type=payslip"]
    {
        let (status, _, body) = fx.send(Request::get(path).body(Body::empty()).unwrap()).await;
        assert!(
            matches!(status, StatusCode::SEE_OTHER | StatusCode::UNAUTHORIZED),
            "GET {path} unauthenticated: {status}"
        );
        fx.assert_no_document_data(&format!("GET {path}"), &body);
    }
    for (path, kind) in
        [("/review/decide", "application/x-www-form-urlencoded"), ("/api/review/decision", "application/json")]
    {
        let req = Request::post(path).header(header::CONTENT_TYPE, kind).body(Body::from("action=accept")).unwrap();
        let (status, _, body) = fx.send(req).await;
        assert!(status.is_client_error() || status == StatusCode::SEE_OTHER, "POST {path} unauthenticated: {status}");
        fx.assert_no_document_data(&format!("POST {path}"), &body);
    }
    // A forged session cookie is no session.
    let (status, _, _) = fx.send(get("/api/review/next", "tamis_session=00")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A login form posted without its CSRF token is refused.
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("username=rita&password=reviewer+pass"))
        .unwrap();
    let (status, cookies, _) = fx.send(req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!cookies.iter().any(|c| c.starts_with("tamis_session=")));
    assert_eq!(fx.depth("review.payslip").await, 1, "the item is still waiting");

    // A viewer sees the dashboard, never a document, and cannot decide.
    let (viewer, viewer_csrf) = fx.sign_in("vera", "viewer pass").await;
    let (status, _, body) = fx.send(get("/dashboard", &viewer)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(&format!("{}.review.payslip", fx.prefix)), "the dashboard lists the review queues");
    fx.assert_no_document_data("viewer dashboard", &body);
    let (status, _, body) = fx.send(get("/api/dashboard", &viewer)).await;
    assert_eq!(status, StatusCode::OK);
    let d: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(d["waiting_review"], 1);
    for path in ["/review", "/api/review/next", page.as_str()] {
        let (status, _, body) = fx.send(get(path, &viewer)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "viewer GET {path}");
        fx.assert_no_document_data(&format!("viewer GET {path}"), &body);
    }
    let req = Request::post("/api/review/decision")
        .header(header::COOKIE, &viewer)
        .header("x-csrf-token", &viewer_csrf)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(format!(r#"{{"lease_id":"{lease}","action":"accept"}}"#)))
        .unwrap();
    assert_eq!(fx.send(req).await.0, StatusCode::FORBIDDEN, "a viewer cannot decide");
    assert_eq!(fx.depth("review.payslip").await, 1);

    // A reviewer takes the item; posts without the CSRF token are refused and publish nothing.
    let (reviewer, csrf) = fx.sign_in("rita", "reviewer pass").await;
    let (status, _, body) = fx.send(get("/api/review/next", &reviewer)).await;
    assert_eq!(status, StatusCode::OK);
    let next: Value = serde_json::from_str(&body).unwrap();
    let lease = next["lease_id"].as_str().expect("the reviewer gets the item").to_string();
    assert_eq!(next["item"]["document_id"], example_item()["document_id"]);
    let decision = format!(r#"{{"lease_id":"{lease}","action":"correct","fields":{{"net_pay":"1987.45"}}}}"#);
    let forged = Request::post("/api/review/decision")
        .header(header::COOKIE, &reviewer)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(decision.clone()))
        .unwrap();
    assert_eq!(fx.send(forged).await.0, StatusCode::FORBIDDEN, "an API decision without X-CSRF-Token");
    let forged = Request::post("/review/decide")
        .header(header::COOKIE, &reviewer)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("lease={lease}&action=validate&f.net_pay=1")))
        .unwrap();
    assert_eq!(fx.send(forged).await.0, StatusCode::FORBIDDEN, "a form decision without the csrf field");
    let wrong = Request::post("/review/decide")
        .header(header::COOKIE, &reviewer)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("lease={lease}&action=validate&f.net_pay=1&csrf={viewer_csrf}")))
        .unwrap();
    assert_eq!(fx.send(wrong).await.0, StatusCode::FORBIDDEN, "another session's token");
    assert_eq!(fx.depth("decisions").await, 0, "nothing was published");

    // With the token, the decision is published (confirmed) and only then the item acked.
    let ok = Request::post("/api/review/decision")
        .header(header::COOKIE, &reviewer)
        .header("x-csrf-token", &csrf)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(decision))
        .unwrap();
    let (status, _, body) = fx.send(ok).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(fx.depth("decisions").await, 1);
    assert_eq!(fx.depth("review.payslip").await, 0);
    let (_, _, body) = fx.send(get("/api/review/next", &reviewer)).await;
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["lease_id"], Value::Null, "the item is gone once decided");
    fx.cleanup().await;
}
