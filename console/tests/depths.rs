//! Queue depths for the dashboard, against a real RabbitMQ: every refresh goes through one
//! long-lived channel, and a read that makes the broker close it (a missing queue) is followed by
//! reads on a fresh one.

mod common;

use common::*;
use lapin::{Connection, ConnectionProperties};
use std::time::Duration;
use tamis_console::queues::Depths;
use tamis_shared::broker::Broker;
use tamis_shared::config::Config;

#[tokio::test]
async fn depths_reuse_one_channel_and_recover_from_a_missing_queue() {
    let prefix = format!("tamis-test-console-depths-{}", uuid::Uuid::new_v4().simple());
    let mut config = Config::default();
    config.amqp.url = AMQP_URL.into();
    config.amqp.prefix = prefix.clone();
    let broker = Broker::connect(&config.amqp, "tamis-console-test", Duration::from_secs(10))
        .await
        .expect("RabbitMQ must run on 127.0.0.1:5672");
    broker.declare_topology(&[]).await.unwrap();
    let depths = Depths::new(broker.clone());
    assert_eq!(depths.channel_id().await, None, "no channel before the first read");

    let first = depths.all().await;
    assert!(first.len() >= 17 && first.iter().all(|q| q.depth == Some(0)), "{first:?}");
    let channel = depths.channel_id().await.expect("a channel is open after a read");

    let conn = Connection::connect(AMQP_URL, ConnectionProperties::default()).await.unwrap();
    let ch = conn.create_channel().await.unwrap();
    publish_review_item(&ch, &prefix, b"{}").await;
    let mut second = depths.all().await;
    for _ in 0..50 {
        if second.iter().any(|q| q.name.ends_with(".review.payslip") && q.depth == Some(1)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        second = depths.all().await;
    }
    assert!(second.iter().any(|q| q.name.ends_with(".review.payslip") && q.depth == Some(1)), "{second:?}");
    assert_eq!(depths.channel_id().await, Some(channel), "every refresh reads on the same channel");

    // A queue that does not exist: the broker closes the channel; the next read opens another.
    assert!(depths.depth(&format!("{prefix}.no-such-queue")).await.is_err());
    assert_eq!(depths.channel_id().await, None);
    assert_eq!(depths.depth(&format!("{prefix}.review.payslip")).await.unwrap(), 1);
    assert!(depths.channel_id().await.is_some());

    delete_topology(&ch, &prefix).await;
    broker.close().await;
}
