//! What the console's integration tests share: publishing to the review exchange and removing a
//! test prefix's topology, over a plain lapin connection to the local RabbitMQ.

use lapin::options::{BasicPublishOptions, QueueDeleteOptions};
use lapin::{BasicProperties, Channel};

/// The local test broker.
pub const AMQP_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

/// Publishes `body` as a persistent review item of type `payslip` under `prefix`, broker-confirmed.
pub async fn publish_review_item(ch: &Channel, prefix: &str, body: &[u8]) {
    ch.basic_publish(
        format!("{prefix}.review").as_str().into(),
        "payslip".into(),
        BasicPublishOptions::default(),
        body,
        BasicProperties::default().with_delivery_mode(2),
    )
    .await
    .unwrap()
    .await
    .unwrap();
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
