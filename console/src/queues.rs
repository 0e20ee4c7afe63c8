//! The console's side of RabbitMQ: review items leased to reviewers (held unacknowledged, acked
//! only once the decision is confirmed by the broker), queue depths for the dashboard, and a tap
//! on the outcome events that counts documents.

use futures::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicGetOptions, BasicNackOptions, QueueBindOptions, QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::Acker;
use lapin::Channel;
use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tamis_route::review::{ReviewDecision, ReviewItem, REVIEW_DECISION_TYPE};
use tamis_shared::blob::BlobStore;
use tamis_shared::broker::{headers_of, Broker, BrokerError, OutMessage};
use tamis_shared::topology::{Stage, Topology};
use tamis_shared::DocumentType;
use tokio::sync::Mutex as AsyncMutex;
use uuid::Uuid;

/// What went wrong with a review item or the broker.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error(transparent)]
    Broker(#[from] BrokerError),
    #[error("broker operation {op} failed: {source}. The item stays in its queue; try again")]
    Amqp { op: &'static str, source: lapin::Error },
    #[error("lease {0} is not held by you any more (it expired or was decided); take the next item")]
    NoLease(Uuid),
    #[error("the decision on document {document_id} was published but the item could not be acknowledged: {message}. It will come back and be skipped as already decided")]
    AckFailed { document_id: String, message: String },
}

/// A review item held by one reviewer.
#[derive(Clone)]
pub struct Lease {
    pub id: Uuid,
    pub user: String,
    pub queue: String,
    /// The type of the review queue it came from: what a reviewer's scope is checked against.
    pub doc_type: DocumentType,
    pub item: ReviewItem,
    /// The raw message, so an expired lease can be put back exactly as it was.
    body: Vec<u8>,
    headers: std::collections::BTreeMap<String, String>,
    message_id: String,
    acker: Acker,
    touched: Instant,
}

/// Leases by id; one per reviewer at a time.
pub struct Leases {
    broker: Broker,
    blobs: BlobStore,
    depths: std::sync::Arc<Depths>,
    /// The channel review items are fetched on; their acks must go through it. Replaced when it dies.
    channel: AsyncMutex<Option<Channel>>,
    held: Mutex<HashMap<Uuid, Lease>>,
    ttl: Duration,
}

impl Leases {
    /// Leases over `broker`, expiring after `ttl` without activity; `depths` picks the fullest queue.
    pub fn new(broker: Broker, blobs: BlobStore, depths: std::sync::Arc<Depths>, ttl: Duration) -> Leases {
        Leases { broker, blobs, depths, channel: AsyncMutex::new(None), held: Mutex::new(HashMap::new()), ttl }
    }

    fn topology(&self) -> &Topology {
        self.broker.topology()
    }

    async fn channel(&self) -> Result<Channel, QueueError> {
        let mut ch = self.channel.lock().await;
        if let Some(c) = ch.as_ref().filter(|c| c.status().connected()) {
            return Ok(c.clone());
        }
        // Items fetched on a dead channel went back to their queues: forget their leases.
        self.held.lock().unwrap_or_else(|e| e.into_inner()).clear();
        let c = self.broker.consumer_channel(1).await?;
        *ch = Some(c.clone());
        Ok(c)
    }

    /// The review queues, every built-in type.
    pub fn review_queues(&self) -> Vec<(DocumentType, String)> {
        DocumentType::BUILT_IN.iter().map(|t| (t.clone(), self.topology().review_queue(t))).collect()
    }

    /// The lease `user` holds, refreshed.
    pub fn current(&self, user: &str) -> Option<Lease> {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        let l = held.values_mut().find(|l| l.user == user)?;
        l.touched = Instant::now();
        Some(l.clone())
    }

    /// The lease `id` if `user` holds it.
    pub fn get(&self, id: Uuid, user: &str) -> Option<Lease> {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        let l = held.get_mut(&id).filter(|l| l.user == user)?;
        l.touched = Instant::now();
        Some(l.clone())
    }

    /// The lease `id`, whoever holds it (to tell a type outside the caller's scope from a lease
    /// that is not theirs); not refreshed.
    pub fn peek(&self, id: Uuid) -> Option<Lease> {
        self.held.lock().unwrap_or_else(|e| e.into_inner()).get(&id).cloned()
    }

    /// The item `user` holds, or the next one from the fullest review queue among the types
    /// `allowed` accepts (the reviewer's scope, or one type asked for).
    pub async fn next(&self, user: &str, allowed: impl Fn(&DocumentType) -> bool) -> Result<Option<Lease>, QueueError> {
        // One item per reviewer at a time: the one held was taken within the scope already.
        if let Some(l) = self.current(user) {
            return Ok(Some(l));
        }
        let ch = self.channel().await?;
        let mut queues = Vec::new();
        for (t, q) in self.review_queues() {
            if !allowed(&t) {
                continue;
            }
            let n = self.depths.depth(&q).await.unwrap_or(0);
            if n > 0 {
                queues.push((n, q, t));
            }
        }
        queues.sort_by_key(|q| std::cmp::Reverse(q.0));
        for (_, q, doc_type) in queues {
            // Bounded: items decided earlier but not acked are skipped, not looped on forever.
            for _ in 0..32 {
                let got = ch
                    .basic_get(q.as_str().into(), BasicGetOptions { no_ack: false })
                    .await
                    .map_err(|source| QueueError::Amqp { op: "basic.get", source })?;
                let Some(got) = got else { break };
                let d = got.delivery;
                // Category and JSON path only: serde's own message would quote the item's values.
                let item: ReviewItem = match tamis_shared::error::parse_message(&d.data) {
                    Ok(i) => i,
                    Err(e) => {
                        tracing::warn!(queue = %q, error = %e, "unreadable review item sent to parking");
                        let _ = d.acker.nack(BasicNackOptions { requeue: false, ..Default::default() }).await;
                        continue;
                    }
                };
                if self.already_decided(&item).await {
                    // A decision was recorded but the ack was lost: the item is done.
                    tracing::info!(document_id = %item.document_id, "review item already decided; removed");
                    let _ = d.acker.ack(BasicAckOptions::default()).await;
                    continue;
                }
                let lease = Lease {
                    id: Uuid::new_v4(),
                    user: user.to_string(),
                    queue: q.clone(),
                    doc_type: doc_type.clone(),
                    item,
                    body: d.data.clone(),
                    headers: headers_of(&d.properties),
                    message_id: d.properties.message_id().as_ref().map(|m| m.to_string()).unwrap_or_default(),
                    acker: d.acker.clone(),
                    touched: Instant::now(),
                };
                self.held.lock().unwrap_or_else(|e| e.into_inner()).insert(lease.id, lease.clone());
                tracing::info!(document_id = %lease.item.document_id, queue = %q, "review item leased");
                return Ok(Some(lease));
            }
        }
        Ok(None)
    }

    async fn already_decided(&self, item: &ReviewItem) -> bool {
        self.blobs.records(&format!("audit/{}", item.document_id)).await.map(|r| !r.is_empty()).unwrap_or(false)
    }

    fn take(&self, id: Uuid, user: &str) -> Result<Lease, QueueError> {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        match held.get(&id) {
            Some(l) if l.user == user => Ok(held.remove(&id).expect("present")),
            _ => Err(QueueError::NoLease(id)),
        }
    }

    /// Publishes the decision (confirmed by the broker) and only then acknowledges the item.
    pub async fn decide(&self, lease_id: Uuid, user: &str, decision: &ReviewDecision) -> Result<(), QueueError> {
        let lease = self.take(lease_id, user)?;
        let msg = OutMessage {
            exchange: self.topology().review_exchange(),
            routing_key: Topology::DECISION_KEY.into(),
            body: serde_json::to_vec(decision).unwrap_or_default(),
            content_type: "application/json".into(),
            message_id: decision.decision_id.to_string(),
            kind: REVIEW_DECISION_TYPE.into(),
            headers: [("document_id".to_string(), decision.document_id.to_string())].into(),
        };
        if let Err(e) = self.broker.publish(&msg).await {
            // Not recorded: the reviewer keeps the item and may try again.
            self.held.lock().unwrap_or_else(|e| e.into_inner()).insert(lease.id, lease);
            return Err(e.into());
        }
        lease.acker.ack(BasicAckOptions::default()).await.map_err(|e| QueueError::AckFailed {
            document_id: decision.document_id.to_string(),
            message: e.to_string(),
        })?;
        Ok(())
    }

    /// Puts an item back at the end of its queue: a fresh copy is published (confirmed), then the
    /// held delivery is acknowledged. A nack would count as a delivery and, repeated by idle
    /// reviewers, reach the quorum queue's delivery limit and park the item.
    pub async fn release(&self, lease_id: Uuid, user: Option<&str>) -> Result<(), QueueError> {
        let lease = {
            let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
            match held.get(&lease_id) {
                Some(l) if user.is_none_or(|u| l.user == u) => held.remove(&lease_id).expect("present"),
                _ => return Err(QueueError::NoLease(lease_id)),
            }
        };
        let routing_key = lease.queue.rsplit('.').next().unwrap_or("other").to_string();
        let msg = OutMessage {
            exchange: self.topology().review_exchange(),
            routing_key,
            body: lease.body.clone(),
            content_type: "application/json".into(),
            message_id: lease.message_id.clone(),
            kind: tamis_route::review::REVIEW_ITEM_TYPE.into(),
            headers: lease.headers.clone(),
        };
        match self.broker.publish(&msg).await {
            Ok(()) => {
                let _ = lease.acker.ack(BasicAckOptions::default()).await;
                Ok(())
            }
            Err(e) => {
                // The original is still unacked and returns when the channel closes; keep it held.
                self.held.lock().unwrap_or_else(|e| e.into_inner()).insert(lease.id, lease);
                Err(e.into())
            }
        }
    }

    /// Puts back every lease idle for longer than the lease time.
    pub async fn expire_idle(&self) {
        let idle: Vec<Uuid> = {
            let held = self.held.lock().unwrap_or_else(|e| e.into_inner());
            held.values().filter(|l| l.touched.elapsed() >= self.ttl).map(|l| l.id).collect()
        };
        for id in idle {
            match self.release(id, None).await {
                Ok(()) => tracing::info!(lease = %id, "idle lease expired; item put back"),
                Err(e) => tracing::warn!(lease = %id, error = %e, "could not put an idle item back"),
            }
        }
    }

    /// Puts back every held item (shutdown); how many were put back. Those that cannot be
    /// published return to their queue anyway when the connection closes.
    pub async fn release_all(&self) -> usize {
        let ids: Vec<Uuid> = self.held.lock().unwrap_or_else(|e| e.into_inner()).keys().copied().collect();
        let mut released = 0;
        for id in ids {
            match self.release(id, None).await {
                Ok(()) => released += 1,
                Err(e) => {
                    tracing::warn!(lease = %id, error = %e, "could not put a held item back; the broker returns it on close")
                }
            }
        }
        released
    }

    /// Items held right now, by queue.
    pub fn held_by_queue(&self) -> HashMap<String, usize> {
        let mut out = HashMap::new();
        for l in self.held.lock().unwrap_or_else(|e| e.into_inner()).values() {
            *out.entry(l.queue.clone()).or_default() += 1;
        }
        out
    }

    /// Items held right now.
    pub fn held_count(&self) -> usize {
        self.held.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// Reads queue depths with passive declares on one long-lived channel, instead of a channel per
/// queue per dashboard refresh. A passive declare of a missing queue closes the channel (404), as
/// does a lost connection: the next read opens a new one.
pub struct Depths {
    broker: Broker,
    channel: AsyncMutex<Option<Channel>>,
}

impl Depths {
    /// Depth reader over `broker`; the channel opens on the first read.
    pub fn new(broker: Broker) -> Depths {
        Depths { broker, channel: AsyncMutex::new(None) }
    }

    /// Messages ready in `queue`.
    pub async fn depth(&self, queue: &str) -> Result<u32, QueueError> {
        let mut held = self.channel.lock().await;
        let ch = match held.as_ref().filter(|c| c.status().connected()) {
            Some(c) => c.clone(),
            None => {
                let c = self.broker.consumer_channel(1).await?;
                *held = Some(c.clone());
                c
            }
        };
        let r = ch
            .queue_declare(
                queue.into(),
                QueueDeclareOptions { passive: true, ..Default::default() },
                FieldTable::default(),
            )
            .await;
        if r.is_err() {
            // The broker closed the channel (or the connection went): open another next time.
            *held = None;
            if ch.status().connected() {
                let _ = ch.close(200, "depth read failed".into()).await;
            }
        }
        r.map(|q| q.message_count()).map_err(|source| QueueError::Amqp { op: "queue.declare passive", source })
    }

    /// The depth of every queue Tamis declares.
    pub async fn all(&self) -> Vec<QueueDepth> {
        let t = self.broker.topology();
        let mut names: Vec<(String, &'static str)> = Stage::ALL.iter().map(|s| (t.stage_queue(*s), "stage")).collect();
        names.extend(DocumentType::BUILT_IN.iter().map(|d| (t.review_queue(d), "review")));
        names.push((t.decisions_queue(), "decisions"));
        names.push((t.parking_queue(), "parking"));
        let mut out = Vec::new();
        for (name, kind) in names {
            let depth = self.depth(&name).await.ok();
            out.push(QueueDepth { name, kind, depth });
        }
        out
    }

    /// The number of the channel reads go through (None before the first read and after a
    /// failed one): the same number across refreshes shows the channel is reused.
    pub async fn channel_id(&self) -> Option<u16> {
        self.channel.lock().await.as_ref().filter(|c| c.status().connected()).map(|c| c.id())
    }
}

/// One queue on the dashboard.
#[derive(Clone, Debug, Serialize)]
pub struct QueueDepth {
    pub name: String,
    /// `stage`, `review`, `decisions` or `parking`.
    pub kind: &'static str,
    /// None when the broker could not say.
    pub depth: Option<u32>,
}

/// Outcome events seen since the console started, by minute.
#[derive(Default)]
pub struct EventCounts {
    /// (minute since start, transition) counts, the last hour.
    minutes: VecDeque<(u64, HashMap<String, u64>)>,
    totals: HashMap<String, u64>,
    started: Option<Instant>,
}

/// What the dashboard shows about throughput.
#[derive(Clone, Debug, Serialize)]
pub struct Throughput {
    /// Documents that reached an outcome (accepted, review requested, rejected) in the last 60 s.
    pub per_minute: u64,
    /// Since the console started.
    pub accepted: u64,
    pub review_requested: u64,
    pub rejected: u64,
    pub reviewed: u64,
    /// accepted / all outcomes, None before the first outcome.
    pub share_automated: Option<f64>,
    pub since_secs: u64,
}

impl EventCounts {
    fn record(&mut self, transition: &str) {
        let started = *self.started.get_or_insert_with(Instant::now);
        let minute = started.elapsed().as_secs() / 60;
        if self.minutes.back().map(|m| m.0) != Some(minute) {
            self.minutes.push_back((minute, HashMap::new()));
            while self.minutes.len() > 60 {
                self.minutes.pop_front();
            }
        }
        if let Some(m) = self.minutes.back_mut() {
            *m.1.entry(transition.to_string()).or_default() += 1;
        }
        *self.totals.entry(transition.to_string()).or_default() += 1;
    }

    /// The figures for the dashboard.
    pub fn throughput(&self, since: Instant) -> Throughput {
        let get = |k: &str| self.totals.get(k).copied().unwrap_or(0);
        let (accepted, review_requested, rejected) = (get("accepted"), get("review_requested"), get("rejected"));
        let all = accepted + review_requested + rejected;
        let now_minute = self.started.map(|s| s.elapsed().as_secs() / 60);
        let per_minute = self
            .minutes
            .iter()
            .filter(|m| Some(m.0) == now_minute)
            .flat_map(|m| m.1.iter())
            .filter(|(k, _)| matches!(k.as_str(), "accepted" | "review_requested" | "rejected"))
            .map(|(_, v)| *v)
            .sum();
        Throughput {
            per_minute,
            accepted,
            review_requested,
            rejected,
            reviewed: get("reviewed"),
            share_automated: (all > 0).then(|| accepted as f64 / all as f64),
            since_secs: since.elapsed().as_secs(),
        }
    }
}

/// Counts outcome events from a private, self-deleting queue bound to every `document.*` event.
pub async fn tap_events(broker: Broker, counts: std::sync::Arc<Mutex<EventCounts>>) -> Result<(), QueueError> {
    let ch = broker.consumer_channel(50).await?;
    let amqp = |op| move |source| QueueError::Amqp { op, source };
    let q = ch
        .queue_declare(
            "".into(),
            QueueDeclareOptions { exclusive: true, auto_delete: true, ..Default::default() },
            FieldTable::default(),
        )
        .await
        .map_err(amqp("queue.declare tap"))?;
    let ex = broker.topology().events_exchange();
    ch.queue_bind(
        q.name().clone(),
        ex.as_str().into(),
        "document.#".into(),
        QueueBindOptions::default(),
        FieldTable::default(),
    )
    .await
    .map_err(amqp("queue.bind tap"))?;
    let mut consumer = ch
        .basic_consume(
            q.name().clone(),
            "console-tap".into(),
            BasicConsumeOptions { no_ack: true, ..Default::default() },
            FieldTable::default(),
        )
        .await
        .map_err(amqp("basic.consume tap"))?;
    while let Some(d) = consumer.next().await {
        let Ok(d) = d else { break };
        // Routing key document.<transition>.<type>: only the transition is counted.
        if let Some(t) = d.routing_key.as_str().split('.').nth(1) {
            counts.lock().unwrap_or_else(|e| e.into_inner()).record(t);
        }
    }
    Ok(())
}
