//! The broker adapter over lapin: connecting, declaring the topology, publishing with confirms,
//! and a consume loop that acknowledges an input only after the broker has confirmed every
//! message the handler produced for it.

use crate::config::{redact_url, AmqpConfig};
use crate::document::DocumentType;
use crate::error::StageError;
use crate::ops::Readiness;
use crate::telemetry;
use crate::topology::{ExchangeKind, QueueKind, Topology};
use futures::{FutureExt, StreamExt};
use lapin::options::{
    BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicNackOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions, ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions,
};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{BasicProperties, Channel, Confirmation, Connection, ConnectionProperties};
use std::collections::BTreeMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tracing::{debug, error, info, warn, Instrument};

/// What went wrong talking to the broker.
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    #[error("cannot connect to RabbitMQ at {url}: {source}. Is it running? (set TAMIS_AMQP_URL)")]
    Connect { url: String, source: lapin::Error },
    #[error("broker operation {op} failed: {source}")]
    Amqp { op: String, source: lapin::Error },
    #[error("the consumer of {queue} was stopped by the broker or lost its connection; reconnecting")]
    ConsumerLost { queue: String },
    #[error("cannot read the broker's CA file {path}: {source} (set amqp.ca_file / TAMIS_AMQP_CA_FILE to a PEM file)")]
    CaFile { path: std::path::PathBuf, source: std::io::Error },
    #[error("the broker refused (nack) a message published to {exchange}/{routing_key}; it was not stored")]
    Nacked { exchange: String, routing_key: String },
    #[error("the stream {queue} did not take a write within {waited_s} s of being declared ({last}); check the broker's log and its disk space")]
    StreamNotReady { queue: String, waited_s: u64, last: String },
}

fn amqp(op: impl Into<String>) -> impl FnOnce(lapin::Error) -> BrokerError {
    let op = op.into();
    move |source| BrokerError::Amqp { op, source }
}

/// A message to publish.
#[derive(Clone, Debug, PartialEq)]
pub struct OutMessage {
    pub exchange: String,
    pub routing_key: String,
    pub body: Vec<u8>,
    pub content_type: String,
    /// Deterministic for a given document and transition, so duplicates can be recognised.
    pub message_id: String,
    /// The AMQP `type` property (e.g. `tamis.work.v1`, a CloudEvents type).
    pub kind: String,
    /// String headers (document id, W3C trace context...).
    pub headers: BTreeMap<String, String>,
}

/// A message as a handler sees it.
#[derive(Clone, Debug)]
pub struct InMessage {
    pub body: Vec<u8>,
    pub routing_key: String,
    pub redelivered: bool,
    pub headers: BTreeMap<String, String>,
}

/// Header carrying the publication time in Unix milliseconds (the AMQP `timestamp` property only
/// has seconds), from which consumers measure queue lag.
pub const PUBLISHED_AT_MS: &str = "published_at_ms";

impl InMessage {
    /// How long the message waited since it was published (None if the publisher did not say,
    /// or the clocks disagree by more than the wait).
    pub fn queue_lag(&self) -> Option<Duration> {
        let sent: u128 = self.headers.get(PUBLISHED_AT_MS)?.parse().ok()?;
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?.as_millis();
        Some(Duration::from_millis(now.checked_sub(sent)? as u64))
    }
}

/// How long `declare_topology` waits for the journal stream to take writes.
const STREAM_READY_PATIENCE: Duration = Duration::from_secs(30);
/// Bound of one stream probe (connect, publish, confirm).
const STREAM_PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// One connection with a confirming publisher channel.
#[derive(Clone)]
pub struct Broker {
    conn: Arc<Connection>,
    publisher: Channel,
    topology: Topology,
    url: String,
    /// Failures of one message before it is parked (`retry.max_attempts`).
    max_attempts: u32,
    /// Told when the connection opens or drops and when consumers start or stop.
    readiness: Readiness,
    /// How to open a second, throwaway connection (the unredacted URL): a stream is probed on
    /// one, because a failed probe closes the connection it was made on.
    reopen: Arc<(String, lapin::tcp::OwnedTLSConfig)>,
}

impl Broker {
    /// Connects, retrying with exponential backoff for up to `patience` (a worker started before its
    /// broker should wait for it, not crash).
    pub async fn connect(config: &AmqpConfig, name: &str, patience: Duration) -> Result<Broker, BrokerError> {
        let started = std::time::Instant::now();
        let mut delay = Duration::from_millis(200);
        let tls = tls_config(config)?;
        let conn = loop {
            // No lapin auto-recovery: the worker's supervisor reconnects, re-declares the topology
            // and restarts its consumers itself (workers.rs), which it can report and test.
            let props = ConnectionProperties::default().with_connection_name(LongString::from(name.to_string()));
            match open(&config.url, props, &tls).await {
                Ok(c) => break c,
                Err(source) if started.elapsed() >= patience => {
                    return Err(BrokerError::Connect { url: redact_url(&config.url), source })
                }
                Err(e) => {
                    warn!(error = %e, retry_in_ms = delay.as_millis() as u64, "broker not reachable, retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
            }
        };
        let publisher = conn.create_channel().await.map_err(amqp("channel.open"))?;
        publisher.confirm_select(ConfirmSelectOptions::default()).await.map_err(amqp("confirm.select"))?;
        info!(url = %redact_url(&config.url), "connected to broker");
        Ok(Broker {
            conn: Arc::new(conn),
            publisher,
            topology: Topology::new(&config.prefix, config.delivery_limit).with_journal(config.journal_retention()),
            url: redact_url(&config.url),
            max_attempts: crate::config::RetryConfig::default().max_attempts,
            readiness: Readiness::new(),
            reopen: Arc::new((config.url.clone(), tls)),
        })
    }

    /// The same broker with the retry path of `retry` (delay tiers, attempts before parking).
    pub fn with_retry(mut self, retry: &crate::config::RetryConfig) -> Broker {
        self.topology = self.topology.with_retry_delays(&retry.delays());
        self.max_attempts = retry.max_attempts;
        self
    }

    /// Failures of one message before it is parked.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Reports the connection state (now, and on every drop and recovery) and the consumers'
    /// state to `readiness`, which the ops server's `/readyz` reads.
    pub fn with_readiness(mut self, readiness: Readiness) -> Broker {
        readiness.set_broker_connected(self.is_connected());
        let mut events = self.conn.events_listener();
        let r = readiness.clone();
        tokio::spawn(async move {
            while let Some(event) = events.next().await {
                match event {
                    lapin::Event::Connected => r.set_broker_connected(true),
                    lapin::Event::Error(_) => r.set_broker_connected(false),
                    _ => {}
                }
            }
            r.set_broker_connected(false);
        });
        self.readiness = readiness;
        self
    }

    /// Messages ready in each queue (passive declares on one short-lived channel).
    pub async fn queue_depths(&self, queues: &[String]) -> Result<Vec<(String, u32)>, BrokerError> {
        let ch = self.conn.create_channel().await.map_err(amqp("channel.open"))?;
        let mut out = Vec::with_capacity(queues.len());
        for q in queues {
            let opts = QueueDeclareOptions { passive: true, ..Default::default() };
            let declared = ch
                .queue_declare(q.as_str().into(), opts, FieldTable::default())
                .await
                .map_err(amqp(format!("queue.declare passive {q}")))?;
            out.push((q.clone(), declared.message_count()));
        }
        let _ = ch.close(200, "queue depths read".into()).await;
        Ok(out)
    }

    /// The topology this broker declares.
    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    /// The broker's URL with any password redacted.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Declares every exchange, queue and binding; idempotent. Returns the queue names.
    pub async fn declare_topology(&self, extra_types: &[DocumentType]) -> Result<Vec<String>, BrokerError> {
        let ch = self.conn.create_channel().await.map_err(amqp("channel.open"))?;
        for ex in self.topology.exchanges() {
            let kind = match ex.kind {
                ExchangeKind::Direct => lapin::ExchangeKind::Direct,
                ExchangeKind::Topic => lapin::ExchangeKind::Topic,
                ExchangeKind::Fanout => lapin::ExchangeKind::Fanout,
            };
            let opts = ExchangeDeclareOptions { durable: true, ..Default::default() };
            ch.exchange_declare(ex.name.as_str().into(), kind, opts, FieldTable::default())
                .await
                .map_err(amqp(format!("exchange.declare {}", ex.name)))?;
        }
        let mut names = Vec::new();
        let mut streams = Vec::new();
        for q in self.topology.queues(extra_types) {
            let mut args = FieldTable::default();
            match &q.kind {
                QueueKind::Quorum => {
                    args.insert("x-queue-type".into(), AMQPValue::LongString("quorum".into()));
                }
                QueueKind::Stream(r) => {
                    args.insert("x-queue-type".into(), AMQPValue::LongString("stream".into()));
                    args.insert("x-max-age".into(), AMQPValue::LongString(r.max_age.as_str().into()));
                    args.insert("x-max-length-bytes".into(), AMQPValue::LongLongInt(r.max_bytes as i64));
                    args.insert(
                        "x-stream-max-segment-size-bytes".into(),
                        AMQPValue::LongLongInt(r.segment_bytes as i64),
                    );
                }
            }
            if let Some(dlx) = &q.dead_letter {
                args.insert("x-dead-letter-exchange".into(), AMQPValue::LongString(dlx.as_str().into()));
                // At-most-once (the default) would drop a message if its target could not take
                // it; at-least-once needs reject-publish overflow.
                args.insert("x-dead-letter-strategy".into(), AMQPValue::LongString("at-least-once".into()));
                args.insert("x-overflow".into(), AMQPValue::LongString("reject-publish".into()));
            }
            if let Some(ttl) = q.message_ttl_ms {
                args.insert("x-message-ttl".into(), AMQPValue::LongLongInt(ttl as i64));
            }
            if let Some(limit) = q.delivery_limit {
                args.insert("x-delivery-limit".into(), AMQPValue::LongLongInt(limit as i64));
            }
            let opts = QueueDeclareOptions { durable: true, ..Default::default() };
            ch.queue_declare(q.name.as_str().into(), opts, args)
                .await
                .map_err(amqp(format!("queue.declare {}", q.name)))?;
            for (exchange, key) in &q.bindings {
                ch.queue_bind(
                    q.name.as_str().into(),
                    exchange.as_str().into(),
                    key.as_str().into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await
                .map_err(amqp(format!("queue.bind {}", q.name)))?;
            }
            if matches!(q.kind, QueueKind::Stream(_)) {
                streams.push(q.name.clone());
            }
            names.push(q.name);
        }
        let _ = ch.close(200, "topology declared".into()).await;
        for s in &streams {
            self.await_stream(s).await?;
        }
        Ok(names)
    }

    /// Waits until the stream `queue` takes a confirmed write. RabbitMQ 3.10 answers a stream's
    /// declare (and its restart after a broker restart) before the stream's writer runs, and a
    /// publish in that window crashes the channel and closes the whole connection with 541
    /// INTERNAL_ERROR: the journal entry a publisher writes first would take the worker's
    /// connection down with it. So every declarer probes with a reader's mark (journal.rs; readers
    /// skip marks that are not theirs) on a throwaway connection, each try bounded in time,
    /// until one is confirmed.
    async fn await_stream(&self, queue: &str) -> Result<(), BrokerError> {
        let started = std::time::Instant::now();
        let mut tries = 0u32;
        loop {
            tries += 1;
            let last = match tokio::time::timeout(STREAM_PROBE_TIMEOUT, self.probe_stream(queue)).await {
                Ok(Ok(())) => {
                    if tries > 1 {
                        info!(
                            queue,
                            tries,
                            waited_ms = started.elapsed().as_millis() as u64,
                            "stream ready for writes"
                        );
                    }
                    return Ok(());
                }
                Ok(Err(e)) => e.to_string(),
                Err(_) => format!("no answer within {} s", STREAM_PROBE_TIMEOUT.as_secs()),
            };
            if started.elapsed() >= STREAM_READY_PATIENCE {
                return Err(BrokerError::StreamNotReady {
                    queue: queue.to_string(),
                    waited_s: started.elapsed().as_secs(),
                    last,
                });
            }
            debug!(queue, tries, error = %last, "stream not ready for writes yet");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// One confirmed write of a reader's mark to the stream, on its own connection.
    async fn probe_stream(&self, queue: &str) -> Result<(), BrokerError> {
        let (url, tls) = &*self.reopen;
        let props =
            ConnectionProperties::default().with_connection_name(LongString::from("tamis-stream-probe".to_string()));
        let conn =
            open(url, props, tls).await.map_err(|source| BrokerError::Connect { url: redact_url(url), source })?;
        let result = async {
            let ch = conn.create_channel().await.map_err(amqp("channel.open"))?;
            ch.confirm_select(ConfirmSelectOptions::default()).await.map_err(amqp("confirm.select"))?;
            let props = BasicProperties::default()
                .with_delivery_mode(2)
                .with_message_id(ShortString::from(uuid::Uuid::new_v4().to_string()))
                .with_type(ShortString::from(crate::journal::MARK_TYPE));
            let confirm = ch
                .basic_publish("".into(), queue.into(), BasicPublishOptions::default(), &[], props)
                .await
                .map_err(amqp("basic.publish stream probe"))?
                .await
                .map_err(amqp("stream probe confirm"))?;
            // The channel before the connection: lapin logs a spurious connection error when it
            // closes a connection that still has an open channel.
            let _ = ch.close(200, "stream probed".into()).await;
            match confirm {
                Confirmation::Ack(_) => Ok(()),
                _ => Err(BrokerError::Nacked { exchange: String::new(), routing_key: queue.to_string() }),
            }
        }
        .await;
        let _ = conn.close(200, "stream probed".into()).await;
        result
    }

    /// Publishes a persistent message and waits until the broker has confirmed it, in a publish
    /// span whose trace context travels in the message headers.
    ///
    /// A message that puts a document into a queue or gives its outcome is preceded by its
    /// journal entry (journal.rs), confirmed first: every publisher (stages, retry and parking,
    /// submit, replay, the console's decisions) journals through this one place, and an entry
    /// that is not confirmed fails the publish like any other output, so the input is not
    /// acknowledged. Entry first, so that a message a consumer can see always has its entry.
    pub async fn publish(&self, m: &OutMessage) -> Result<(), BrokerError> {
        let document_id = m.headers.get("document_id").map(String::as_str);
        let span = telemetry::publish_span(&m.exchange, &m.routing_key, &m.message_id, m.body.len(), document_id);
        let mut headers = m.headers.clone();
        telemetry::inject(&span, &mut headers);
        let entry = crate::journal::entry_for(&self.topology, m).map(|e| e.message(&self.topology));
        async {
            if let Some(j) = &entry {
                self.publish_with(j, &j.headers).await?;
            }
            self.publish_with(m, &headers).await
        }
        .instrument(span)
        .await
    }

    async fn publish_with(&self, m: &OutMessage, string_headers: &BTreeMap<String, String>) -> Result<(), BrokerError> {
        let mut headers = FieldTable::default();
        for (k, v) in string_headers {
            headers.insert(k.as_str().into(), AMQPValue::LongString(v.as_str().into()));
        }
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        headers.insert(PUBLISHED_AT_MS.into(), AMQPValue::LongString(now.as_millis().to_string().into()));
        let props = BasicProperties::default()
            .with_delivery_mode(2)
            .with_content_type(ShortString::from(m.content_type.as_str()))
            .with_message_id(ShortString::from(m.message_id.as_str()))
            .with_type(ShortString::from(m.kind.as_str()))
            .with_timestamp(time::OffsetDateTime::now_utc().unix_timestamp() as u64)
            .with_headers(headers);
        let opts = BasicPublishOptions { mandatory: false, ..Default::default() };
        let confirm = self
            .publisher
            .basic_publish(m.exchange.as_str().into(), m.routing_key.as_str().into(), opts, &m.body, props)
            .await
            .map_err(amqp("basic.publish"))?
            .await
            .map_err(amqp("publisher confirm"))?;
        match confirm {
            Confirmation::Ack(_) => Ok(()),
            Confirmation::Nack(_) | Confirmation::NotRequested => {
                Err(BrokerError::Nacked { exchange: m.exchange.clone(), routing_key: m.routing_key.clone() })
            }
        }
    }

    /// Opens a channel for consumers with the given prefetch.
    pub async fn consumer_channel(&self, prefetch: u16) -> Result<Channel, BrokerError> {
        let ch = self.conn.create_channel().await.map_err(amqp("channel.open"))?;
        ch.basic_qos(prefetch, BasicQosOptions::default()).await.map_err(amqp("basic.qos"))?;
        Ok(ch)
    }

    /// True while the connection is up.
    pub fn is_connected(&self) -> bool {
        self.conn.status().connected()
    }

    /// Closes the connection (unacknowledged deliveries return to their queues).
    pub async fn close(&self) {
        self.readiness.set_broker_connected(false);
        let _ = self.conn.close(200, "shutting down".into()).await;
    }
}

/// The TLS settings of `amqps://` connections: the system's trusted roots, plus the CA of
/// `amqp.ca_file` when set.
fn tls_config(config: &AmqpConfig) -> Result<lapin::tcp::OwnedTLSConfig, BrokerError> {
    let cert_chain = match &config.ca_file {
        Some(p) => Some(std::fs::read_to_string(p).map_err(|source| BrokerError::CaFile { path: p.clone(), source })?),
        None => None,
    };
    Ok(lapin::tcp::OwnedTLSConfig { identity: None, cert_chain })
}

async fn open(url: &str, props: ConnectionProperties, tls: &lapin::tcp::OwnedTLSConfig) -> lapin::Result<Connection> {
    lapin::DefaultConnectionBuilder::new()?
        .with_uri_str(url.to_string())
        .with_properties(props)
        .with_tls_config(tls.clone())
        .connect()
        .await
}

/// String headers of a delivery (non-string values are skipped: Tamis only writes strings).
pub fn headers_of(props: &BasicProperties) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Some(h) = props.headers() {
        for (k, v) in h.inner() {
            match v {
                AMQPValue::LongString(s) => {
                    out.insert(k.to_string(), String::from_utf8_lossy(s.as_bytes()).into_owned());
                }
                AMQPValue::ShortString(s) => {
                    out.insert(k.to_string(), s.to_string());
                }
                _ => {}
            }
        }
    }
    out
}

/// What a handler decided about one delivery.
#[derive(Debug)]
pub enum Handled {
    /// Publish these (each confirmed), then acknowledge the input.
    Publish(Vec<OutMessage>),
    /// The message itself is unusable (not a Tamis message): dead-letter it to parking at once.
    /// The text is logged: build it from `error::MessageParseError`, never from the body.
    Poison(String),
    /// Park at once with this reason code, for a replay once the cause is fixed: `internal_error`
    /// when the stage panicked on it (a bug, so retrying now would panic again).
    Park(&'static str),
}

/// Consumes `queue` until `cancel` fires: each delivery goes to `handler` in its own task (at most
/// `prefetch` at a time, which the broker also enforces); the outputs are published with confirms
/// and only then is the input acknowledged. A transient error requeues the input (the queue's
/// delivery limit parks it eventually); a poison message is dead-lettered at once.
pub async fn consume<H, Fut>(
    broker: &Broker,
    queue: &str,
    prefetch: u16,
    cancel: CancellationToken,
    grace: Duration,
    handler: H,
) -> Result<(), BrokerError>
where
    H: Fn(InMessage) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Handled, StageError>> + Send + 'static,
{
    let channel = broker.consumer_channel(prefetch).await?;
    let tag = format!("{}-{}", queue, uuid::Uuid::new_v4());
    let mut consumer = channel
        .basic_consume(queue.into(), tag.as_str().into(), BasicConsumeOptions::default(), FieldTable::default())
        .await
        .map_err(amqp(format!("basic.consume {queue}")))?;
    info!(queue, prefetch, "consuming");
    broker.readiness.set_consumer_running(queue, true);
    let handler = Arc::new(handler);
    let in_flight = Arc::new(Semaphore::new(prefetch as usize));
    loop {
        let next = tokio::select! {
            _ = cancel.cancelled() => break,
            d = consumer.next() => d,
        };
        let delivery = match next {
            Some(Ok(d)) => d,
            Some(Err(e)) => {
                warn!(queue, error = %e, "consumer error, waiting for the connection to recover");
                broker.readiness.set_consumer_running(queue, false);
                if let Err(e) = channel.wait_for_recovery(e).await {
                    return Err(BrokerError::Amqp { op: format!("recover consumer of {queue}"), source: e });
                }
                broker.readiness.set_consumer_running(queue, true);
                continue;
            }
            // The broker cancelled the consumer or the connection closed: not a shutdown, so the
            // caller must reconnect.
            None if !cancel.is_cancelled() => return Err(BrokerError::ConsumerLost { queue: queue.to_string() }),
            None => break,
        };
        let permit = match in_flight.clone().acquire_owned().await {
            Ok(p) => p,
            Err(_) => break,
        };
        let broker = broker.clone();
        let handler = handler.clone();
        let queue = queue.to_string();
        let headers = headers_of(&delivery.properties);
        let span = telemetry::process_span(
            &queue,
            delivery.exchange.as_str(),
            delivery.routing_key.as_str(),
            delivery.properties.message_id().as_ref().map(|id| id.as_str()),
            delivery.delivery_tag,
            &headers,
        );
        tokio::spawn(
            async move {
                let _permit = permit;
                let msg = InMessage {
                    body: delivery.data.clone(),
                    routing_key: delivery.routing_key.to_string(),
                    redelivered: delivery.redelivered,
                    headers,
                };
                // The last net under every handler (stages and decisions catch their own panics
                // first, naming the document): a panic here would drop the delivery unacked, holding
                // a prefetch slot until reconnect while /readyz says ready. The payload is not
                // logged: it may quote a value (see `error::install_panic_hook`).
                let handled = match AssertUnwindSafe(async { handler(msg).await }).catch_unwind().await {
                    Ok(h) => h,
                    Err(_) => {
                        error!(queue, reason = crate::error::INTERNAL_ERROR, "handler panicked; message parked");
                        Ok(Handled::Park(crate::error::INTERNAL_ERROR))
                    }
                };
                match handled {
                    Ok(Handled::Publish(outs)) => {
                        for m in &outs {
                            if let Err(e) = broker.publish(m).await {
                                warn!(queue, error = %e, "output not confirmed; requeueing the input");
                                let _ = delivery.nack(BasicNackOptions { requeue: true, ..Default::default() }).await;
                                return;
                            }
                        }
                        if let Err(e) = delivery.ack(BasicAckOptions::default()).await {
                            // The input will be redelivered; its outputs carry deterministic ids.
                            warn!(queue, error = %e, "ack failed");
                        }
                    }
                    Ok(Handled::Poison(why)) => {
                        warn!(queue, reason = %why, "unusable message sent to parking");
                        crate::retry::park_unreadable(&broker, delivery).await;
                    }
                    Ok(Handled::Park(reason)) => crate::retry::park_now(&broker, delivery, reason).await,
                    Err(e) => {
                        warn!(queue, error = %e, "transient failure");
                        crate::retry::retry_or_park(&broker, delivery, e.reason()).await;
                    }
                }
            }
            .instrument(span),
        );
    }
    debug!(queue, "stopping consumer");
    broker.readiness.set_consumer_running(queue, false);
    let _ = channel.basic_cancel(tag.as_str().into(), BasicCancelOptions::default()).await;
    // Let in-flight work finish (and be acked) within the grace period; what does not finish is
    // requeued by the broker when the channel closes.
    let _ = tokio::time::timeout(grace, in_flight.acquire_many(prefetch as u32)).await;
    let _ = channel.close(200, "consumer stopped".into()).await;
    Ok(())
}
