//! Roles limited to document types, against a real RabbitMQ (per-test prefix): a reviewer of
//! payslips only is refused (`403`) the passport inbox, page and API, a passport item's page
//! images and any decision on it, even while another reviewer holds it; the next item they get is
//! a payslip, never the passport waiting in a fuller queue.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
mod common;

use common::*;
use lapin::{Connection, ConnectionProperties};
use serde_json::Value;
use tamis_shared::config::Config;

#[tokio::test]
async fn a_reviewer_scoped_to_payslips_is_refused_everything_else() {
    let dir = tempfile::tempdir().unwrap();
    let h = |p| tamis_console::auth::hash_password(p).unwrap();
    let users = dir.path().join("users.toml");
    std::fs::write(
        &users,
        format!(
            "[[users]]\nname = \"paula\"\nrole = \"reviewer\"\ntypes = [\"payslip\"]\npassword_hash = \"{}\"\n\n\
             [[users]]\nname = \"rita\"\nrole = \"reviewer\"\npassword_hash = \"{}\"\n",
            h("payslip pass"),
            h("reviewer pass")
        ),
    )
    .unwrap();
    let prefix = format!("tamis-test-console-scope-{}", uuid::Uuid::new_v4().simple());
    let mut config = Config::default();
    config.amqp.url = AMQP_URL.into();
    config.amqp.prefix = prefix.clone();
    config.blob.url = dir.path().join("blobs").display().to_string();
    config.console.users_file = Some(users);
    let app =
        tamis_console::router(tamis_console::App::connect(&config).await.expect("RabbitMQ must run on 127.0.0.1:5672"));
    // Two passports and one payslip: the passport queue is the fuller one.
    let conn = Connection::connect(AMQP_URL, ConnectionProperties::default()).await.unwrap();
    let ch = conn.create_channel().await.unwrap();
    let mut ids = Vec::new();
    for doc_type in ["passport", "passport", "payslip"] {
        let mut item = example_item();
        let id = uuid::Uuid::new_v4().to_string();
        item["document_id"] = Value::String(id.clone());
        publish_review_item_to(&ch, &prefix, doc_type, &serde_json::to_vec(&item).unwrap()).await;
        ids.push(id);
    }

    // Rita (every type) takes a passport.
    let (rita, _) = sign_in(&app, "rita", "reviewer pass").await;
    let (status, _, body) = send(&app, get("/api/review/next?type=passport", &rita)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let next: Value = serde_json::from_str(&body).unwrap();
    let passport_lease = next["lease_id"].as_str().expect("rita gets a passport").to_string();
    assert_eq!(next["queue"], format!("{prefix}.review.passport").as_str());

    let (paula, csrf) = sign_in(&app, "paula", "payslip pass").await;
    // Asking for passports: refused, on the page and through the API.
    for path in ["/api/review/next?type=passport", "/review?type=passport"] {
        let (status, _, body) = send(&app, get(path, &paula)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "GET {path}: {body}");
        assert!(!ids.iter().any(|id| body.contains(id.as_str())), "GET {path} shows a document id");
    }
    // The passport rita holds: its page image and any decision on it are refused as outside
    // the scope (not merely as someone else's lease, which would be 404 / 409).
    let (status, _, _) = send(&app, get(&format!("/review/page/{passport_lease}/1.png"), &paula)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a passport's page image");
    let api = Request::post("/api/review/decision")
        .header(header::COOKIE, &paula)
        .header("x-csrf-token", &csrf)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(format!(r#"{{"lease_id":"{passport_lease}","action":"accept"}}"#)))
        .unwrap();
    assert_eq!(send(&app, api).await.0, StatusCode::FORBIDDEN, "an API decision on a passport");
    let form = Request::post("/review/decide")
        .header(header::COOKIE, &paula)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("lease={passport_lease}&action=accept&csrf={csrf}")))
        .unwrap();
    assert_eq!(send(&app, form).await.0, StatusCode::FORBIDDEN, "a form decision on a passport");

    // Her next item is the payslip, though a passport waits in a fuller queue; her page too.
    let (status, _, body) = send(&app, get("/api/review/next", &paula)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let next: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(next["item"]["document_id"], ids[2].as_str(), "the payslip: {body}");
    assert_eq!(next["queue"], format!("{prefix}.review.payslip").as_str());
    let (status, _, html) = send(&app, get("/review", &paula)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(ids[2].as_str()) && !html.contains(ids[0].as_str()) && !html.contains(ids[1].as_str()));
    // Payslips asked for by name are hers; the decision on hers goes through.
    let (status, _, _) = send(&app, get("/api/review/next?type=payslip", &paula)).await;
    assert_eq!(status, StatusCode::OK);
    let lease = next["lease_id"].as_str().unwrap();
    let ok = Request::post("/api/review/decision")
        .header(header::COOKIE, &paula)
        .header("x-csrf-token", &csrf)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(format!(r#"{{"lease_id":"{lease}","action":"accept"}}"#)))
        .unwrap();
    let (status, _, body) = send(&app, ok).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    delete_topology(&ch, &prefix).await;
}

#[tokio::test]
async fn a_users_file_naming_a_type_outside_the_taxonomy_stops_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users.toml");
    std::fs::write(&users, "[[users]]\nname = \"p\"\nrole = \"reviewer\"\ntypes = [\"payslips\"]\n").unwrap();
    let mut config = Config::default();
    config.amqp.url = AMQP_URL.into();
    config.amqp.prefix = format!("tamis-test-console-scope-{}", uuid::Uuid::new_v4().simple());
    config.blob.url = dir.path().join("blobs").display().to_string();
    config.console.users_file = Some(users);
    let e = tamis_console::App::connect(&config).await.err().expect("refused");
    assert!(e.to_string().contains("payslips") && e.to_string().contains("taxonomy"), "{e}");
}
