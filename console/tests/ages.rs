//! How long the oldest item of each queue has waited, against a real RabbitMQ (per-test prefix):
//! a review item published by Tamis's publisher is journaled, and the dashboard API shows its age
//! (at least the time it has waited); an empty queue has no age; an item from a publisher that
//! wrote no journal entry is `unknown`, not a guess. A new console instance replays the journal
//! stream and knows the same ages; an item a reviewer holds still waits; after the decision the
//! review queue has no age and the decisions queue's starts from the decision.

mod common;

use common::*;
use lapin::{Connection, ConnectionProperties};
use serde_json::Value;
use std::time::{Duration, Instant};
use tamis_shared::broker::{Broker, OutMessage};
use tamis_shared::config::Config;

/// The dashboard's entry for the queue `{prefix}.<suffix>`.
fn queue<'a>(d: &'a Value, prefix: &str, suffix: &str) -> &'a Value {
    let name = format!("{prefix}.{suffix}");
    d["queues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["name"] == name.as_str())
        .unwrap_or_else(|| panic!("no {name} on the dashboard: {d}"))
}

/// Polls `/api/dashboard` until `done`, for up to 30 s; returns the data and how long before the
/// request that satisfied it `since` was.
async fn dashboard_until(
    app: &axum::Router,
    session: &str,
    since: Instant,
    done: impl Fn(&Value) -> bool,
) -> (Value, Duration) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let waited = since.elapsed();
        let (status, _, body) = send(app, get("/api/dashboard", session)).await;
        assert_eq!(status.as_u16(), 200, "{body}");
        let d: Value = serde_json::from_str(&body).unwrap();
        if done(&d) {
            return (d, waited);
        }
        assert!(Instant::now() < deadline, "the dashboard never got there: {d:#}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn secs(q: &Value) -> f64 {
    q["oldest_secs"].as_f64().unwrap_or_else(|| panic!("no age: {q}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_shows_each_queues_oldest_age_and_a_new_console_knows_it_from_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = format!("tamis-test-console-ages-{}", uuid::Uuid::new_v4().simple());
    let mut config = Config::default();
    config.amqp.url = AMQP_URL.into();
    config.amqp.prefix = prefix.clone();
    config.blob.url = dir.path().join("blobs").display().to_string();
    config.console.users_file = Some(users_file(dir.path()));
    let started = Instant::now();
    let app = tamis_console::App::connect(&config).await.expect("RabbitMQ must run on 127.0.0.1:5672");
    let console = tamis_console::router(app.clone());
    let (viewer, _) = sign_in(&console, "vera", "viewer pass").await;

    // Nothing waits yet: no age anywhere, once the (empty) journal is read.
    let (d, _) = dashboard_until(&console, &viewer, started, |d| d["journal"]["state"] == "live").await;
    for q in d["queues"].as_array().unwrap() {
        assert_eq!(
            (q["depth"].as_u64(), q["oldest"].as_str(), &q["oldest_secs"]),
            (Some(0), Some("none"), &Value::Null),
            "{q}"
        );
    }

    // A review item through Tamis's publisher (journaled), and one from a publisher that writes
    // no journal entry, as if it had entered before the journal existed.
    let item = example_item();
    let broker = Broker::connect(&config.amqp, "tamis-test-publisher", Duration::from_secs(10)).await.unwrap();
    let review_item = OutMessage {
        exchange: broker.topology().review_exchange(),
        routing_key: "payslip".into(),
        body: serde_json::to_vec(&item).unwrap(),
        content_type: "application/json".into(),
        message_id: uuid::Uuid::new_v4().to_string(),
        kind: tamis_route::review::REVIEW_ITEM_TYPE.into(),
        headers: [("document_id".to_string(), item["document_id"].as_str().unwrap().to_string())].into(),
    };
    broker.publish(&review_item).await.unwrap();
    let published = Instant::now();
    let conn = Connection::connect(AMQP_URL, ConnectionProperties::default()).await.unwrap();
    let ch = conn.create_channel().await.unwrap();
    let mut unseen = item.clone();
    unseen["document_id"] = Value::String(uuid::Uuid::new_v4().to_string());
    publish_review_item_to(&ch, &prefix, "passport", &serde_json::to_vec(&unseen).unwrap()).await;
    tokio::time::sleep(Duration::from_millis(2_500)).await;

    let (d, waited) = dashboard_until(&console, &viewer, published, |d| {
        queue(d, &prefix, "review.payslip")["oldest"] == "known" && queue(d, &prefix, "review.passport")["depth"] == 1
    })
    .await;
    let payslip = queue(&d, &prefix, "review.payslip");
    assert_eq!(payslip["depth"], 1);
    assert!(secs(payslip) + 0.002 >= waited.as_secs_f64(), "age {} s, waited {:?}", secs(payslip), waited);
    assert!(secs(payslip) < waited.as_secs_f64() + 10.0, "age {} s, waited {:?}", secs(payslip), waited);
    assert!(payslip["oldest_text"].as_str().unwrap().ends_with(" s"), "{payslip}");
    let passport = queue(&d, &prefix, "review.passport");
    assert_eq!(
        (passport["oldest"].as_str(), &passport["oldest_secs"]),
        (Some("unknown"), &Value::Null),
        "an item the journal never saw: {passport}"
    );
    assert_eq!(queue(&d, &prefix, "review.bank_details")["oldest"], "none");
    assert_eq!(queue(&d, &prefix, "ocr")["oldest"], "none");
    assert_eq!(d["journal"]["documents"], 1);
    // The page shows the same, in the age column (French by default).
    let (_, _, html) = send(&console, get("/dashboard", &viewer)).await;
    let cell = |suffix: &str| {
        let at = html
            .find(&format!("data-age=\"{prefix}.{suffix}\">"))
            .unwrap_or_else(|| panic!("no age cell for {suffix}"));
        html[at..].split('>').nth(1).unwrap().split('<').next().unwrap().to_string()
    };
    assert!(cell("review.payslip").ends_with(" s"), "{}", cell("review.payslip"));
    assert_eq!(cell("review.passport"), "inconnue");
    assert_eq!(cell("review.bank_details"), "—");

    // Restart: a new console replays the journal stream and knows the age from before it started.
    app.close().await;
    let restarted = Instant::now();
    let app = tamis_console::App::connect(&config).await.unwrap();
    let console = tamis_console::router(app.clone());
    let (viewer, _) = sign_in(&console, "vera", "viewer pass").await;
    let (d, waited) = dashboard_until(&console, &viewer, published, |d| {
        d["journal"]["state"] == "live" && queue(d, &prefix, "review.payslip")["oldest"] == "known"
    })
    .await;
    let payslip = queue(&d, &prefix, "review.payslip");
    assert!(
        secs(payslip) + 0.002 >= waited.as_secs_f64(),
        "after a restart: age {} s, waited {:?}",
        secs(payslip),
        waited
    );
    assert!(secs(payslip) > restarted.elapsed().as_secs_f64(), "counted from the journal, not from the restart");
    assert_eq!(queue(&d, &prefix, "review.passport")["oldest"], "unknown");

    // A reviewer opens the item: it is out of the ready count but still waits.
    let (reviewer, csrf) = sign_in(&console, "rita", "reviewer pass").await;
    let (_, _, body) = send(&console, get("/api/review/next?type=payslip", &reviewer)).await;
    let next: Value = serde_json::from_str(&body).unwrap();
    let lease = next["lease_id"].as_str().expect("the reviewer gets the payslip item").to_string();
    assert_eq!(next["item"]["document_id"], item["document_id"]);
    let (d, waited) = dashboard_until(&console, &viewer, published, |_| true).await;
    let payslip = queue(&d, &prefix, "review.payslip");
    assert_eq!((payslip["depth"].as_u64(), payslip["held"].as_u64()), (Some(0), Some(1)), "{payslip}");
    assert!(secs(payslip) + 0.002 >= waited.as_secs_f64(), "a held item still waits: {payslip}");

    // The decision: the review queue has no age any more; the decisions queue's starts now.
    let req = axum::http::Request::post("/api/review/decision")
        .header(axum::http::header::COOKIE, &reviewer)
        .header("x-csrf-token", &csrf)
        .header(axum::http::header::CONTENT_TYPE, "application/json")
        .body(axum::body::Body::from(format!(r#"{{"lease_id":"{lease}","action":"accept"}}"#)))
        .unwrap();
    let decided = Instant::now();
    let (status, _, body) = send(&console, req).await;
    assert_eq!(status.as_u16(), 200, "{body}");
    let (d, _) =
        dashboard_until(&console, &viewer, published, |d| queue(d, &prefix, "decisions")["oldest"] == "known").await;
    let payslip = queue(&d, &prefix, "review.payslip");
    assert_eq!(
        (payslip["depth"].as_u64(), payslip["oldest"].as_str(), &payslip["oldest_secs"]),
        (Some(0), Some("none"), &Value::Null)
    );
    let decisions = queue(&d, &prefix, "decisions");
    assert_eq!(decisions["depth"], 1);
    assert!(
        secs(decisions) <= decided.elapsed().as_secs_f64() + 0.002,
        "the wait in decisions starts at the decision: {decisions}"
    );
    assert_eq!(d["journal"]["documents"], 1, "decided but not yet recorded by the route worker: still on its way");

    app.close().await;
    broker.close().await;
    delete_topology(&ch, &prefix).await;
}
