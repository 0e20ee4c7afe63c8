//! Roles limited to document types, against a real RabbitMQ (per-test prefix): a reviewer of
//! payslips only is refused (`403`) the passport inbox, page and API, a passport item's page
//! images and any decision on it, even while another reviewer holds it; the next item they get is
//! a payslip, never the passport waiting in a fuller queue. A document's history (its audit
//! records, from the blob store) is hers for a payslip, refused for a passport; each look is
//! recorded.

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

    // Histories, from audit records as the route worker writes them: a corrected payslip, an
    // accepted passport.
    let blobs = tamis_shared::blob::BlobStore::open(&config.blob.url).unwrap();
    for (id, doc_type, corrections) in
        [(&ids[2], "payslip", vec![("net_pay", "1987.45")]), (&ids[0], "passport", vec![])]
    {
        let mut item = example_item();
        item["document_id"] = Value::String(id.clone());
        item["outcome"]["documents"][0]["type"] = doc_type.into();
        let decision = tamis_route::review::ReviewDecision {
            decision_id: uuid::Uuid::new_v4(),
            document_id: tamis_shared::DocumentId(id.parse().unwrap()),
            action: if corrections.is_empty() {
                tamis_route::review::Action::Accept
            } else {
                tamis_route::review::Action::Correct
            },
            reviewer: "rita".into(),
            decided_at: time::OffsetDateTime::now_utc(),
            corrections: corrections.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            new_type: None,
            reject_reason: None,
            item: serde_json::from_value(item).unwrap(),
        };
        let reviewed = decision.apply().unwrap();
        let key = format!("audit/{id}/{}.json", reviewed.decision_id);
        blobs.put_once(&key, serde_json::to_vec(&reviewed).unwrap().into()).await.unwrap();
    }
    let history = |id: &str| format!("/api/documents/{id}/history");
    let (status, _, body) = send(&app, get(&history(&ids[0]), &paula)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a passport's history: {body}");
    let (status, _, _) = send(&app, get(&format!("/documents/{}", ids[0]), &paula)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a passport's history page");
    assert!(blobs.records(&format!("console/views/{}", ids[0])).await.unwrap().is_empty(), "no look was shown");
    let (status, _, body) = send(&app, get(&history(&ids[2]), &paula)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let h: Value = serde_json::from_str(&body).unwrap();
    let entry = &h["entries"][0];
    assert_eq!((entry["reviewer"].as_str(), entry["action"].as_str()), (Some("rita"), Some("correct")), "{h}");
    assert_eq!(entry["changes"][0]["field"], "net_pay");
    assert_eq!(entry["changes"][0]["after"], "1987.45");
    assert_ne!(entry["changes"][0]["before"], "1987.45");
    assert_eq!(h["views"][0]["user"], "paula", "the look is recorded: {h}");
    // Rita (every type) sees the passport's; the page shows the same, French by default; an
    // unknown document is 404. Every look is on record, by whom.
    let (status, _, body) = send(&app, get(&history(&ids[0]), &rita)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, html) = send(&app, get(&format!("/documents/{}", ids[2]), &rita)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Historique du document") && html.contains("Corrigé") && html.contains("987,45"), "{html}");
    let (status, _, _) = send(&app, get(&history(&uuid::Uuid::new_v4().to_string()), &rita)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let views: Vec<String> = blobs
        .records(&format!("console/views/{}", ids[2]))
        .await
        .unwrap()
        .iter()
        .map(|(_, b)| serde_json::from_slice::<Value>(b).unwrap()["user"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(views, ["paula", "rita"], "each look at the payslip's history, in order");
    // The search box: a document id leads to its page; a case id is not searchable yet.
    let r = tower::ServiceExt::oneshot(app.clone(), get(&format!("/search?q=+{}+", ids[2]), &paula)).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], format!("/documents/{}", ids[2]).as_str());
    let (status, _, html) = send(&app, get("/search?q=CAF-75-2025-004187", &paula)).await;
    assert_eq!(status, StatusCode::NOT_IMPLEMENTED);
    assert!(html.contains("numéro de dossier"), "{html}");

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
