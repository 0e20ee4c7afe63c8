//! `tamis parked list|replay`: what waits in the parking queue, and sending it back to the stage
//! it failed in once the cause is fixed. A parked message is acknowledged (removed) only after the
//! broker confirmed its replay, so a replay interrupted at any point loses nothing.
//!
//! Every parked message can be replayed: a stage's message to its stage queue, a reviewer's
//! decision (parked by the route worker, e.g. `audit_unavailable` or `internal_error`) to the
//! decisions queue. One that names neither stays parked and makes the replay exit non-zero,
//! listing each such message (document id, stage header, reason code; never its body), so a
//! script or an operator cannot take "nothing left" for granted.

use anyhow::Context;
use lapin::options::{BasicAckOptions, BasicGetOptions, BasicNackOptions};
use std::collections::BTreeMap;
use std::time::Duration;
use tamis_shared::broker::{headers_of, Broker, OutMessage};
use tamis_shared::config::Config;
use tamis_shared::retry::ParkedEntry;
use tamis_shared::topology::{Stage, Topology};

/// Which parked messages to replay.
pub enum Selection {
    All,
    Document(String),
}

async fn connect(config: &Config) -> anyhow::Result<Broker> {
    let broker =
        Broker::connect(&config.amqp, "tamis-parked", Duration::from_secs(10)).await?.with_retry(&config.retry);
    broker.declare_topology(&[]).await?;
    Ok(broker)
}

/// Takes every parked message without acknowledging it: they stay in the queue (and return to it
/// when the channel closes) unless acked one by one.
async fn take_all(broker: &Broker) -> anyhow::Result<(lapin::Channel, Vec<lapin::message::BasicGetMessage>)> {
    let queue = broker.topology().parking_queue();
    let ch = broker.consumer_channel(1).await?;
    let mut out = Vec::new();
    while let Some(m) = ch
        .basic_get(queue.as_str().into(), BasicGetOptions { no_ack: false })
        .await
        .with_context(|| format!("cannot read {queue}"))?
    {
        out.push(m);
    }
    Ok((ch, out))
}

fn entry(broker: &Broker, m: &lapin::message::BasicGetMessage) -> ParkedEntry {
    ParkedEntry::from_properties(&m.delivery.properties, m.delivery.routing_key.as_str(), &broker.topology().prefix)
}

/// `tamis parked list`: one line per parked message (document id, stage, reason, attempts, time),
/// or one JSON object per line with `--json`. Reading puts nothing back out of order: the messages
/// are left unacknowledged and return to the queue.
pub async fn list_command(config: &Config, json: bool) -> anyhow::Result<()> {
    let broker = connect(config).await?;
    let (ch, messages) = take_all(&broker).await?;
    if !json {
        println!("{:<36}  {:<8}  {:<20}  {:>8}  PARKED AT", "DOCUMENT ID", "STAGE", "REASON", "ATTEMPTS");
    }
    for m in &messages {
        let e = entry(&broker, m);
        if json {
            println!("{}", serde_json::to_string(&e)?);
        } else {
            println!(
                "{:<36}  {:<8}  {:<20}  {:>8}  {}",
                e.document_id.as_deref().unwrap_or("-"),
                e.stage.as_deref().unwrap_or("-"),
                e.reason,
                e.attempts,
                e.parked_at.as_deref().unwrap_or("-")
            );
        }
    }
    let _ = ch.close(200, "listed".into()).await;
    broker.close().await;
    if !json {
        eprintln!("{} parked message(s) in {}", messages.len(), broker.topology().parking_queue());
    }
    Ok(())
}

/// `tamis parked replay`: republishes the selected parked messages to the stage they failed in,
/// with a fresh attempt count, and removes each from parking once the broker confirmed it.
pub async fn replay_command(config: &Config, which: Selection) -> anyhow::Result<()> {
    let broker = connect(config).await?;
    let (ch, messages) = take_all(&broker).await?;
    let (mut replayed, mut kept) = (0usize, 0usize);
    // Selected messages that could not be sent anywhere: (document id, stage header, reason).
    let mut left: Vec<(String, String, String)> = Vec::new();
    for m in messages {
        let e = entry(&broker, &m);
        let selected = match &which {
            Selection::All => true,
            Selection::Document(id) => e.document_id.as_deref() == Some(id.as_str()),
        };
        if !selected {
            kept += 1;
            continue;
        }
        let Some(target) = e.stage.as_deref().and_then(replay_key) else {
            tracing::warn!(
                document_id = e.document_id.as_deref().unwrap_or("-"),
                stage = e.stage.as_deref().unwrap_or("-"),
                reason = %e.reason,
                "parked message names no stage or decisions queue; left in parking"
            );
            left.push((
                e.document_id.clone().unwrap_or_else(|| "-".into()),
                e.stage.clone().unwrap_or_else(|| "-".into()),
                e.reason.clone(),
            ));
            continue;
        };
        let p = &m.delivery.properties;
        // A replay starts over: the failure record of the last round would only mislead.
        let headers: BTreeMap<String, String> =
            headers_of(p).into_iter().filter(|(k, _)| !k.starts_with("x-") && !k.starts_with("tamis-")).collect();
        let out = OutMessage {
            exchange: broker.topology().pipeline_exchange(),
            routing_key: target.to_string(),
            body: m.delivery.data.clone(),
            content_type: p.content_type().as_ref().map(|s| s.to_string()).unwrap_or_default(),
            message_id: p.message_id().as_ref().map(|s| s.to_string()).unwrap_or_default(),
            kind: p.kind().as_ref().map(|s| s.to_string()).unwrap_or_default(),
            headers,
        };
        match broker.publish(&out).await {
            Ok(()) => {
                m.delivery.ack(BasicAckOptions::default()).await.context(
                    "a replayed message was republished but could not be removed from parking; it may be replayed twice (same message id)",
                )?;
                replayed += 1;
                println!("{}\t{}", e.document_id.as_deref().unwrap_or("-"), target);
            }
            Err(err) => {
                let _ = m.delivery.nack(BasicNackOptions { requeue: true, ..Default::default() }).await;
                let _ = ch.close(200, "replay failed".into()).await;
                return Err(anyhow::Error::from(err).context("replay stopped; the message stays parked"));
            }
        }
    }
    let _ = ch.close(200, "replayed".into()).await;
    broker.close().await;
    eprintln!("replayed {replayed}; left in parking: {kept} not selected, {} that name no stage", left.len());
    if let Selection::Document(id) = &which {
        anyhow::ensure!(replayed > 0 || !left.is_empty(), "no parked message for document {id}");
    }
    if !left.is_empty() {
        for (document_id, stage, reason) in &left {
            eprintln!("left in parking: document {document_id}, stage {stage:?}, reason {reason}");
        }
        anyhow::bail!(
            "{} selected parked message(s) could not be replayed: their stage header names neither a stage ({}) nor \
             the decisions queue; they stay in parking (see `tamis parked list`, docs/runbook.md)",
            left.len(),
            Stage::ALL.map(|s| s.as_str()).join(", ")
        );
    }
    Ok(())
}

/// The routing key on the pipeline exchange that returns a message parked at `stage` (its
/// `tamis-stage` header, or the queue the broker dead-lettered it from) to where it failed: a
/// stage's queue, or the decisions queue (bound to the pipeline exchange with the decision key,
/// which is also how a decision comes back from a retry delay tier).
fn replay_key(stage: &str) -> Option<&'static str> {
    if let Ok(s) = stage.parse::<Stage>() {
        return Some(s.as_str());
    }
    // `decision` from the routing key of a decision; `decisions` from its queue's name.
    matches!(stage, Topology::DECISION_KEY | "decisions").then_some(Topology::DECISION_KEY)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_stage_and_decisions_replay_somewhere() {
        for s in ["ocr", "classify", "extract", "route"] {
            assert_eq!(super::replay_key(s), Some(s));
        }
        assert_eq!(super::replay_key("decision"), Some("decision"));
        assert_eq!(super::replay_key("decisions"), Some("decision"));
        assert_eq!(super::replay_key("review.payslip"), None);
        assert_eq!(super::replay_key(""), None);
    }
}
