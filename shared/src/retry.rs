//! What happens to a delivery its stage could not process: a transient failure goes through the
//! delay queues (`{prefix}.retry.<delay>`, see topology.rs) and comes back to its stage; after
//! the last attempt, or at once for a message that is not a Tamis message, it is parked in
//! `{prefix}.parking` with the error written in its headers. Every move is a publish confirmed by
//! the broker before the delivery is acknowledged, so a message is never lost on the way (at
//! worst it is seen twice, with the same message id).
//!
//! The headers carry codes, counts, times and the document id only: never document content.

use crate::broker::{headers_of, Broker, OutMessage};
use lapin::message::Delivery;
use lapin::options::{BasicAckOptions, BasicNackOptions};
use lapin::types::{AMQPValue, FieldTable};
use lapin::BasicProperties;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;
use tracing::{error, info, warn};

/// Header: failures of this message so far (1 after the first).
pub const ATTEMPTS: &str = "tamis-attempts";
/// Header: the stage (its routing key) that failed, where a replay sends the message back.
pub const STAGE: &str = "tamis-stage";
/// Header: the reason code of the last failure (`blob_unavailable`, `unreadable_message`...).
pub const REASON: &str = "tamis-reason";
/// Header: RFC 3339 time of the first failure.
pub const FIRST_FAILURE: &str = "tamis-first-failure";
/// Header: RFC 3339 time of the last failure.
pub const LAST_FAILURE: &str = "tamis-last-failure";
/// Header: RFC 3339 time the message was parked.
pub const PARKED_AT: &str = "tamis-parked-at";
/// Header: the document the message is about (written by every Tamis publisher).
pub const DOCUMENT_ID: &str = "document_id";
/// Reason code of a message no stage can read (not JSON, not a Tamis message).
pub const UNREADABLE: &str = "unreadable_message";

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// Where a failed delivery goes next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NextStep {
    /// Wait this long in its delay queue, then back to the stage.
    Retry(Duration),
    /// No attempts left: park it.
    Park,
}

/// The headers a failed message carries on its next hop, and where that hop goes. `previous` are
/// the delivery's headers (with the counts of earlier failures, if any).
pub fn after_failure(
    previous: &BTreeMap<String, String>,
    stage: &str,
    reason: &str,
    max_attempts: u32,
    delay_of: impl Fn(u32) -> Duration,
) -> (NextStep, BTreeMap<String, String>) {
    let attempts = previous.get(ATTEMPTS).and_then(|a| a.parse::<u32>().ok()).unwrap_or(0).saturating_add(1);
    let now = now_rfc3339();
    // Broker-added headers (x-death, x-first-death-*...) describe an earlier hop: not carried on.
    let mut headers: BTreeMap<String, String> =
        previous.iter().filter(|(k, _)| !k.starts_with("x-")).map(|(k, v)| (k.clone(), v.clone())).collect();
    headers.insert(ATTEMPTS.into(), attempts.to_string());
    headers.insert(STAGE.into(), stage.to_string());
    headers.insert(REASON.into(), reason.to_string());
    headers.entry(FIRST_FAILURE.into()).or_insert_with(|| now.clone());
    headers.insert(LAST_FAILURE.into(), now.clone());
    if attempts >= max_attempts {
        headers.insert(PARKED_AT.into(), now);
        (NextStep::Park, headers)
    } else {
        (NextStep::Retry(delay_of(attempts)), headers)
    }
}

/// The same message (body, ids, type) to another exchange with other headers.
fn forward(delivery: &Delivery, exchange: String, headers: BTreeMap<String, String>) -> OutMessage {
    let p = &delivery.properties;
    OutMessage {
        exchange,
        routing_key: delivery.routing_key.to_string(),
        body: delivery.data.clone(),
        content_type: p.content_type().as_ref().map(|s| s.to_string()).unwrap_or_default(),
        message_id: p.message_id().as_ref().map(|s| s.to_string()).unwrap_or_default(),
        kind: p.kind().as_ref().map(|s| s.to_string()).unwrap_or_default(),
        headers,
    }
}

/// Sends a delivery whose stage failed transiently (`reason` a code) to its delay queue, or to
/// parking after the last attempt, then acknowledges it. If the broker does not confirm that
/// publish, the delivery is requeued instead: the queue's delivery limit is the last safety net.
pub async fn retry_or_park(broker: &Broker, delivery: Delivery, reason: &str) {
    let previous = headers_of(&delivery.properties);
    let stage = delivery.routing_key.to_string();
    let topology = broker.topology();
    let (step, headers) = after_failure(&previous, &stage, reason, broker.max_attempts(), |n| topology.retry_delay(n));
    let document_id = previous.get(DOCUMENT_ID).cloned().unwrap_or_default();
    let attempts = headers.get(ATTEMPTS).cloned().unwrap_or_default();
    let exchange = match &step {
        NextStep::Retry(d) => topology.retry_queue(*d),
        NextStep::Park => topology.dead_letter_exchange(),
    };
    let out = forward(&delivery, exchange, headers);
    move_then_ack(broker, delivery, &out).await;
    match step {
        NextStep::Retry(d) => {
            info!(document_id, stage, reason, attempts, retry_in_ms = d.as_millis() as u64, "retry scheduled")
        }
        NextStep::Park => error!(document_id, stage, reason, attempts, "attempts exhausted; message parked"),
    }
}

/// Parks a delivery no stage can read, with its reason, and acknowledges it.
pub async fn park_unreadable(broker: &Broker, delivery: Delivery) {
    park_now(broker, delivery, UNREADABLE).await
}

/// Parks a delivery at once (no retry) with reason code `reason`, and acknowledges it: for a
/// message retrying cannot help now (unreadable, or a stage that panicked on it).
pub async fn park_now(broker: &Broker, delivery: Delivery, reason: &str) {
    let previous = headers_of(&delivery.properties);
    let stage = delivery.routing_key.to_string();
    let (_, headers) = after_failure(&previous, &stage, reason, 1, |_| Duration::ZERO);
    let document_id = previous.get(DOCUMENT_ID).cloned().unwrap_or_default();
    let out = forward(&delivery, broker.topology().dead_letter_exchange(), headers);
    move_then_ack(broker, delivery, &out).await;
    error!(document_id, stage, reason, "message parked");
}

async fn move_then_ack(broker: &Broker, delivery: Delivery, out: &OutMessage) {
    match broker.publish(out).await {
        Ok(()) => {
            if let Err(e) = delivery.ack(BasicAckOptions::default()).await {
                // Redelivered later: it then exists twice, with the same message id.
                warn!(error = %e, "ack after moving a failed message failed");
            }
        }
        Err(e) => {
            warn!(error = %e, exchange = %out.exchange, "could not move a failed message; requeueing it");
            tokio::time::sleep(Duration::from_millis(500)).await;
            let _ = delivery.nack(BasicNackOptions { requeue: true, ..Default::default() }).await;
        }
    }
}

/// Capped exponential backoff between reconnection attempts, with jitter so that workers
/// cut off together do not all knock on the broker at the same instant.
#[derive(Clone, Debug)]
pub struct Backoff {
    first: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    /// Starts at `first`, doubles each time, never above `max`.
    pub fn new(first: Duration, max: Duration) -> Backoff {
        Backoff { first, max, next: first.min(max) }
    }

    /// The next wait: the current step plus up to a quarter of it at random, capped.
    pub fn next_delay(&mut self) -> Duration {
        let step = self.next;
        self.next = (self.next * 2).min(self.max);
        let jitter = step.mul_f64(uuid::Uuid::new_v4().as_u128() as f64 / u128::MAX as f64 / 4.0);
        (step + jitter).min(self.max)
    }

    /// Back to the first step (after a connection that worked for a while).
    pub fn reset(&mut self) {
        self.next = self.first.min(self.max);
    }
}

/// What `tamis parked list` shows of one parked message: ids, codes, counts and times.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ParkedEntry {
    pub document_id: Option<String>,
    /// The stage it failed in (its routing key on the pipeline exchange).
    pub stage: Option<String>,
    pub reason: String,
    pub attempts: u32,
    pub parked_at: Option<String>,
    pub first_failure: Option<String>,
    pub message_id: Option<String>,
}

impl ParkedEntry {
    /// Reads a parked message's properties: Tamis's own headers, or for a message the broker
    /// dead-lettered itself (delivery limit reached in a crash loop), its `x-death` record.
    pub fn from_properties(props: &BasicProperties, routing_key: &str, prefix: &str) -> ParkedEntry {
        let h = headers_of(props);
        let message_id = props.message_id().as_ref().map(|s| s.to_string());
        if h.contains_key(PARKED_AT) {
            return ParkedEntry {
                document_id: h.get(DOCUMENT_ID).cloned(),
                stage: h.get(STAGE).cloned(),
                reason: h.get(REASON).cloned().unwrap_or_else(|| "unknown".into()),
                attempts: h.get(ATTEMPTS).and_then(|a| a.parse().ok()).unwrap_or(0),
                parked_at: h.get(PARKED_AT).cloned(),
                first_failure: h.get(FIRST_FAILURE).cloned(),
                message_id,
            };
        }
        let death = props.headers().as_ref().and_then(first_death);
        let queue = h.get("x-first-death-queue").cloned().or_else(|| death.as_ref().and_then(|d| d.queue.clone()));
        let stage = queue
            .as_deref()
            .and_then(|q| q.strip_prefix(prefix))
            .and_then(|q| q.strip_prefix('.'))
            .map(str::to_string)
            .or_else(|| (!routing_key.is_empty()).then(|| routing_key.to_string()));
        ParkedEntry {
            document_id: h.get(DOCUMENT_ID).cloned(),
            stage,
            reason: h
                .get("x-first-death-reason")
                .cloned()
                .or_else(|| death.as_ref().and_then(|d| d.reason.clone()))
                .unwrap_or_else(|| "unknown".into()),
            attempts: death.as_ref().map(|d| d.count).unwrap_or(0),
            parked_at: death.as_ref().and_then(|d| d.time.clone()),
            first_failure: None,
            message_id,
        }
    }
}

struct Death {
    queue: Option<String>,
    reason: Option<String>,
    count: u32,
    time: Option<String>,
}

/// The most recent `x-death` entry the broker wrote.
fn first_death(headers: &FieldTable) -> Option<Death> {
    let AMQPValue::FieldArray(deaths) = headers.inner().get("x-death")? else { return None };
    let AMQPValue::FieldTable(d) = deaths.as_slice().first()? else { return None };
    let text = |k: &str| match d.inner().get(k) {
        Some(AMQPValue::LongString(s)) => Some(String::from_utf8_lossy(s.as_bytes()).into_owned()),
        Some(AMQPValue::ShortString(s)) => Some(s.to_string()),
        _ => None,
    };
    let count = match d.inner().get("count") {
        Some(AMQPValue::LongLongInt(n)) => *n as u32,
        Some(AMQPValue::LongInt(n)) => *n as u32,
        Some(AMQPValue::LongUInt(n)) => *n,
        _ => 0,
    };
    let time = match d.inner().get("time") {
        Some(AMQPValue::Timestamp(t)) => time::OffsetDateTime::from_unix_timestamp(*t as i64)
            .ok()
            .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok()),
        _ => None,
    };
    Some(Death { queue: text("queue"), reason: text("reason"), count, time })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delays(n: u32) -> Duration {
        [1, 5, 30].map(Duration::from_secs)[(n as usize - 1).min(2)]
    }

    #[test]
    fn failures_count_up_through_the_tiers_then_park() {
        let mut h = BTreeMap::from([
            (DOCUMENT_ID.to_string(), "doc-1".to_string()),
            ("traceparent".to_string(), "00-abc-def-01".to_string()),
            ("x-first-death-queue".to_string(), "tamis.retry.1s".to_string()),
        ]);
        let mut steps = Vec::new();
        for _ in 0..4 {
            let (step, next) = after_failure(&h, "ocr", "blob_unavailable", 4, delays);
            steps.push(step);
            h = next;
        }
        assert_eq!(
            steps,
            [NextStep::Retry(delays(1)), NextStep::Retry(delays(2)), NextStep::Retry(delays(3)), NextStep::Park]
        );
        assert_eq!(h[ATTEMPTS], "4");
        assert_eq!(h[STAGE], "ocr");
        assert_eq!(h[REASON], "blob_unavailable");
        assert_eq!(h[DOCUMENT_ID], "doc-1");
        assert_eq!(h["traceparent"], "00-abc-def-01", "trace context travels on");
        assert!(!h.contains_key("x-first-death-queue"), "broker headers of an earlier hop are dropped");
        assert!(h[FIRST_FAILURE] <= h[LAST_FAILURE]);
        assert!(h.contains_key(PARKED_AT));
    }

    #[test]
    fn backoff_doubles_up_to_its_cap_and_resets() {
        let mut b = Backoff::new(Duration::from_millis(200), Duration::from_secs(2));
        let waits: Vec<Duration> = (0..6).map(|_| b.next_delay()).collect();
        for (w, base) in waits.iter().zip([200u64, 400, 800, 1600, 2000, 2000]) {
            let base = Duration::from_millis(base);
            assert!(
                *w >= base.min(Duration::from_secs(2)) && *w <= (base + base / 4).min(Duration::from_secs(2)),
                "{waits:?}"
            );
        }
        b.reset();
        assert!(b.next_delay() < Duration::from_millis(251));
    }

    #[test]
    fn a_parked_entry_reads_tamis_headers() {
        let (_, h) = after_failure(
            &BTreeMap::from([(DOCUMENT_ID.to_string(), "d-7".to_string())]),
            "classify",
            UNREADABLE,
            1,
            delays,
        );
        let mut t = FieldTable::default();
        for (k, v) in &h {
            t.insert(k.as_str().into(), AMQPValue::LongString(v.as_str().into()));
        }
        let props = BasicProperties::default().with_headers(t).with_message_id("m-1".into());
        let e = ParkedEntry::from_properties(&props, "classify", "tamis");
        assert_eq!(e.document_id.as_deref(), Some("d-7"));
        assert_eq!(e.stage.as_deref(), Some("classify"));
        assert_eq!(e.reason, UNREADABLE);
        assert_eq!(e.attempts, 1);
        assert!(e.parked_at.is_some());
    }

    #[test]
    fn a_message_the_broker_dead_lettered_is_read_from_x_death() {
        let mut death = FieldTable::default();
        death.insert("queue".into(), AMQPValue::LongString("tamis.extract".into()));
        death.insert("reason".into(), AMQPValue::LongString("delivery_limit".into()));
        death.insert("count".into(), AMQPValue::LongLongInt(1));
        death.insert("time".into(), AMQPValue::Timestamp(1_700_000_000));
        let mut t = FieldTable::default();
        t.insert("x-death".into(), AMQPValue::FieldArray(vec![AMQPValue::FieldTable(death)].into()));
        t.insert(DOCUMENT_ID.into(), AMQPValue::LongString("d-9".into()));
        let e = ParkedEntry::from_properties(&BasicProperties::default().with_headers(t), "extract", "tamis");
        assert_eq!(e.stage.as_deref(), Some("extract"));
        assert_eq!(e.reason, "delivery_limit");
        assert_eq!(e.document_id.as_deref(), Some("d-9"));
        assert_eq!(e.parked_at.as_deref(), Some("2023-11-14T22:13:20Z"));
    }
}
