//! `tamis worker`, `tamis submit` and `tamis topology`: the same stages as the embedded run, as
//! RabbitMQ consumers joined by the pipeline exchange.

use crate::events;
use crate::pipeline::Stages;
use anyhow::Context;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tamis_shared::blob::BlobStore;
use tamis_shared::broker::{consume, Broker, Handled, InMessage, OutMessage};
use tamis_shared::config::Config;
use tamis_shared::error::{parse_message, StageError, INTERNAL_ERROR};
use tamis_shared::metrics::{self, StageOutcome};
use tamis_shared::ops::{self, Readiness};
use tamis_shared::records::{self, Records};
use tamis_shared::retry::Backoff;
use tamis_shared::telemetry;
use tamis_shared::topology::{QueueKind, Stage, Topology};
use tamis_shared::{DocumentId, Envelope, ErrorCode, Work};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

const WORK_TYPE: &str = "tamis.work.v1";

/// The message that carries `work` to `stage`.
pub(crate) fn work_message(topology: &Topology, stage: Stage, work: &Work) -> Result<OutMessage, StageError> {
    let body = serde_json::to_vec(work).map_err(|e| StageError::Transient {
        stage: "serialise",
        reason: "serialise_failed",
        document_id: work.envelope.document_id.to_string(),
        message: e.to_string(),
    })?;
    let mut headers = work.envelope.trace.clone();
    headers.insert("document_id".into(), work.envelope.document_id.to_string());
    Ok(OutMessage {
        exchange: topology.pipeline_exchange(),
        routing_key: stage.as_str().to_string(),
        body,
        content_type: "application/json".into(),
        message_id: work.envelope.document_id.transition_id(stage.as_str()).to_string(),
        kind: WORK_TYPE.into(),
        headers,
    })
}

/// How often a worker refreshes the `tamis_queue_messages` gauge: often enough for an alert on a
/// growing backlog, rare enough that passive declares cost the broker nothing.
const QUEUE_DEPTH_EVERY: Duration = Duration::from_secs(15);

/// What a stage does with one message, measured: its duration, outcome, reason code and how
/// long it waited in the queue go to the metrics.
async fn handle(
    stage: Stage,
    stages: &Arc<Stages>,
    blobs: &BlobStore,
    topology: &Topology,
    msg: InMessage,
) -> Result<Handled, StageError> {
    let m = metrics::global();
    if let Some(lag) = msg.queue_lag() {
        m.queue_lag(stage.as_str(), lag.as_secs_f64());
    }
    let span = tracing::info_span!(
        "stage",
        otel.name = format!("stage {}", stage.as_str()),
        tamis.stage = stage.as_str(),
        tamis.document.id = msg.headers.get("document_id").map(String::as_str).unwrap_or_default(),
        tamis.outcome = tracing::field::Empty,
        tamis.error.code = tracing::field::Empty,
        otel.status_code = tracing::field::Empty,
    );
    let started = std::time::Instant::now();
    let result = run_stage(stage, stages, blobs, topology, msg).instrument(span.clone()).await;
    m.stage_duration(stage.as_str(), started.elapsed().as_secs_f64());
    let outcome = match &result {
        Ok((Handled::Park(reason), _)) => {
            // `internal_error`: a panic, counted apart so that it can be alerted on.
            m.stage_error(stage.as_str(), reason);
            span.record("tamis.error.code", *reason);
            StageOutcome::Parked
        }
        Ok((Handled::Poison(_), _)) => StageOutcome::Parked,
        Ok((_, Some(code))) => {
            m.stage_error(stage.as_str(), code.as_str());
            span.record("tamis.error.code", code.as_str());
            StageOutcome::Error
        }
        Ok((_, None)) => StageOutcome::Ok,
        Err(_) => StageOutcome::Retried,
    };
    m.stage_document(stage.as_str(), outcome);
    span.record("tamis.outcome", outcome.as_str());
    if matches!(outcome, StageOutcome::Parked | StageOutcome::Retried) {
        span.record("otel.status_code", "error");
    }
    result.map(|(handled, _)| handled)
}

/// What a stage does with one message: the messages it must publish before the input is acked,
/// and the reason code if the document failed at this stage.
async fn run_stage(
    stage: Stage,
    stages: &Arc<Stages>,
    blobs: &BlobStore,
    topology: &Topology,
    msg: InMessage,
) -> Result<(Handled, Option<ErrorCode>), StageError> {
    let mut work: Work = match parse_message(&msg.body) {
        Ok(w) => w,
        // The error names a category and a path, never a value of the message.
        Err(e) => return Ok((Handled::Poison(format!("not a Tamis work message: {e}")), None)),
    };
    // A stage that panicked on this message parks it with `internal_error` (replayable once the
    // bug is fixed); the stage, document id and location are logged by `guarded`.
    let park = || Ok((Handled::Park(INTERNAL_ERROR), None));
    let id = work.envelope.document_id;
    let failed_before = work.failure.is_some();
    let started = std::time::Instant::now();
    match stage {
        Stage::Ocr => {
            // For `GET /v1/documents/{id}`'s `processing`: informative only, so a store hiccup
            // here does not hold the document back (it shows `received` until its outcome).
            if let Err(e) = Records::new(blobs.clone()).put_processing(&id).await {
                tracing::warn!(document_id = %id, error = %e, "processing record not written");
            }
            if work.failure.is_none() {
                if work.envelope.blob.size > stages.max_file_bytes() {
                    let size = work.envelope.blob.size;
                    stages.too_large(&mut work, size);
                } else {
                    let bytes = blobs.get(&work.envelope.blob).await.map_err(|e| StageError::Transient {
                        stage: "ocr",
                        reason: "blob_unavailable",
                        document_id: id.to_string(),
                        message: e.to_string(),
                    })?;
                    work = match stages.ocr_guarded(work, bytes).await {
                        Ok(w) => w,
                        Err(_) => return park(),
                    };
                }
            }
        }
        Stage::Classify => {
            if stages.classify(&mut work).is_err() {
                return park();
            }
        }
        Stage::Extract => {
            if stages.extract(&mut work).is_err() {
                return park();
            }
        }
        Stage::Route => {
            let duplicate_of = crate::review::earlier_submission(blobs, &work).await?;
            let Ok(outcome) = stages.route_with(&work, duplicate_of) else { return park() };
            // Recorded before the event is published, so that whoever hears of the outcome can
            // read it (`GET /v1/documents/{id}`); retried like any other output if not written.
            Records::new(blobs.clone()).put_outcome(&outcome).await.map_err(|e| StageError::Transient {
                stage: "route",
                reason: "records_unavailable",
                document_id: id.to_string(),
                message: format!("cannot write the outcome record: {e}"),
            })?;
            record_outcome(blobs, &work.envelope, outcome.decision).await?;
            let mut out = vec![events::outcome(topology, &work.envelope, &outcome)];
            if outcome.decision == tamis_shared::Decision::Review {
                out.push(events::review_item(topology, &work, &outcome));
            }
            let doc_type = outcome.doc_type().map(|t| t.as_str()).unwrap_or("none");
            let m = metrics::global();
            m.decision(doc_type, outcome.decision.as_str());
            if let Some(primary) = outcome.primary() {
                m.type_confidence(doc_type, primary.document.confidence as f64);
            }
            tracing::info!(document_id = %id, decision = outcome.decision.as_str(), doc_type,
                reasons = outcome.reasons.len(), "routed");
            return Ok((Handled::Publish(out), None));
        }
    }
    tracing::debug!(document_id = %id, stage = stage.as_str(), ms = started.elapsed().as_millis() as u64, "stage done");
    let failed_here = if failed_before { None } else { work.failure.as_ref().map(|f| f.code) };
    let next = stage.next().expect("only route has no next stage");
    Ok((Handled::Publish(vec![work_message(topology, next, &work)?]), failed_here))
}

/// Records a document's outcome once, before its event is published: which bytes it is, and
/// when it was decided (the record's last-modified time). `tamis purge` reads it to know when the
/// bytes may go (shared/src/retention.rs). Ids, a decision, a hash and a time: nothing personal.
async fn record_outcome(
    blobs: &BlobStore,
    envelope: &Envelope,
    decision: tamis_shared::Decision,
) -> Result<(), StageError> {
    let key = tamis_shared::retention::outcome_key(&envelope.document_id, decision, &envelope.blob.sha256);
    let recorded_at =
        time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    let record = serde_json::json!({
        "document_id": envelope.document_id.to_string(),
        "decision": decision.as_str(),
        "blob_sha256": envelope.blob.sha256,
        "recorded_at": recorded_at,
    });
    let mut line = serde_json::to_vec(&record).unwrap_or_default();
    line.push(b'\n');
    blobs.put_once(&key, bytes::Bytes::from(line)).await.map_err(|e| StageError::Transient {
        stage: "route",
        reason: "outcome_record_unavailable",
        document_id: envelope.document_id.to_string(),
        message: format!("cannot write the outcome record: {e}"),
    })?;
    Ok(())
}

/// Runs the consumers of `which` stages until SIGINT/SIGTERM, surviving broker restarts and
/// dropped connections: each time the connection is lost it reconnects with capped exponential
/// backoff, re-declares the topology and resumes consuming. What was in flight on the lost
/// connection was not acknowledged, so the broker delivers it again (same message ids).
pub async fn worker_command(config: &Config, stages: Arc<Stages>, which: Vec<Stage>) -> anyhow::Result<()> {
    stages.warm_up()?;
    let blobs = BlobStore::open(&config.blob.url)?;
    let name = format!("tamis-worker-{}", which.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("+"));
    // The ops server starts first, so liveness answers while the broker is still awaited.
    let readiness = Readiness::new();
    let ops_cancel = CancellationToken::new();
    ops::serve(&config.workers.health_addr, readiness.clone(), ops_cancel.clone()).await?;
    let cancel = CancellationToken::new();
    spawn_signal_handler(cancel.clone());
    let names = Topology::new(&config.amqp.prefix, config.amqp.delivery_limit);
    readiness.expect_consumers(&which.iter().map(|s| names.stage_queue(*s)).collect::<Vec<_>>());
    {
        let (readiness, cancel) = (readiness.clone(), cancel.clone());
        tokio::spawn(async move {
            cancel.cancelled().await;
            readiness.set_stopping();
        });
    }
    let mut backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(config.amqp.reconnect_max_secs));
    let mut result = Ok(());
    loop {
        let connected = tokio::select! {
            _ = cancel.cancelled() => break,
            b = Broker::connect(&config.amqp, &name, Duration::ZERO) => b,
        };
        let broker = match connected {
            Ok(b) => b.with_retry(&config.retry).with_readiness(readiness.clone()),
            Err(e) => {
                let wait = backoff.next_delay();
                tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "broker not reachable");
                if sleep_or_cancel(wait, &cancel).await {
                    break;
                }
                continue;
            }
        };
        let began = std::time::Instant::now();
        let session = run_session(config, &broker, &stages, &blobs, &which, &cancel).await;
        broker.close().await;
        match session {
            Ok(()) => break,
            Err(Session::Lost(e)) => {
                // A session that ran a while was a working connection: start backing off afresh.
                if began.elapsed() > Duration::from_secs(30) {
                    backoff.reset();
                }
                let wait = backoff.next_delay();
                tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "broker connection lost; reconnecting");
                if sleep_or_cancel(wait, &cancel).await {
                    break;
                }
            }
            Err(Session::Fatal(e)) => {
                cancel.cancel();
                result = Err(e);
                break;
            }
        }
    }
    ops_cancel.cancel();
    tracing::info!("worker stopped");
    result
}

/// How a session on one connection ended, other than by shutdown.
enum Session {
    /// The connection or a consumer was lost: reconnect.
    Lost(tamis_shared::broker::BrokerError),
    /// A bug (a consumer task panicked): stop the process.
    Fatal(anyhow::Error),
}

/// On one connection: declares the topology and runs a consumer per stage until shutdown
/// (`Ok`) or until one of them loses the connection (every other one is then stopped too).
async fn run_session(
    config: &Config,
    broker: &Broker,
    stages: &Arc<Stages>,
    blobs: &BlobStore,
    which: &[Stage],
    cancel: &CancellationToken,
) -> Result<(), Session> {
    broker.declare_topology(&[]).await.map_err(Session::Lost)?;
    let grace = Duration::from_secs(config.workers.shutdown_grace_secs);
    let session = cancel.child_token();
    // Every queue, not just this worker's: review and parking backlogs have no consumer here.
    // Not the journal: a stream is read, not drained, and has no backlog to watch.
    let watched: Vec<String> =
        broker.topology().queues(&[]).into_iter().filter(|q| q.kind == QueueKind::Quorum).map(|q| q.name).collect();
    spawn_queue_depths(broker.clone(), watched, session.clone());
    let mut tasks = tokio::task::JoinSet::new();
    for &stage in which {
        let prefetch = match stage {
            // OCR holds bytes and an engine per message: take no more than the engines can start.
            Stage::Ocr => (stages.engines() as u16).max(1),
            _ => config.amqp.prefetch,
        };
        let (broker2, stages, blobs, session) = (broker.clone(), stages.clone(), blobs.clone(), session.clone());
        let topology = broker.topology().clone();
        let queue = topology.stage_queue(stage);
        tasks.spawn(async move {
            let topology = Arc::new(topology);
            consume(&broker2, &queue, prefetch, session, grace, move |msg| {
                let (stages, blobs, topology) = (stages.clone(), blobs.clone(), topology.clone());
                async move { handle(stage, &stages, &blobs, &topology, msg).await }
            })
            .await
        });
    }
    if which.contains(&Stage::Route) {
        // The route worker also applies reviewers' decisions: both end a document's journey.
        let (broker2, blobs, session) = (broker.clone(), blobs.clone(), session.clone());
        let topology = Arc::new(broker.topology().clone());
        let queue = topology.decisions_queue();
        let prefetch = config.amqp.prefetch;
        tasks.spawn(async move {
            consume(&broker2, &queue, prefetch, session, grace, move |msg| {
                let (blobs, topology) = (blobs.clone(), topology.clone());
                async move { crate::review::handle_decision(&blobs, &topology, msg).await }
            })
            .await
        });
    }
    tracing::info!("worker running; SIGTERM or Ctrl-C stops it");
    let mut result = Ok(());
    while let Some(r) = tasks.join_next().await {
        match r {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                session.cancel();
                if result.is_ok() {
                    result = Err(Session::Lost(e));
                }
            }
            Err(e) => {
                session.cancel();
                result = Err(Session::Fatal(anyhow::anyhow!("a consumer task failed: {e}")));
            }
        }
    }
    result
}

/// Sleeps `d` unless shutdown is requested first; true if it was.
async fn sleep_or_cancel(d: Duration, cancel: &CancellationToken) -> bool {
    tokio::select! {
        _ = cancel.cancelled() => true,
        _ = tokio::time::sleep(d) => false,
    }
}

/// Refreshes the queue-depth gauge of `queues` until `cancel`.
fn spawn_queue_depths(broker: Broker, queues: Vec<String>, cancel: CancellationToken) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(QUEUE_DEPTH_EVERY);
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = every.tick() => {}
            }
            match broker.queue_depths(&queues).await {
                Ok(depths) => depths.iter().for_each(|(q, n)| metrics::global().queue_messages(q, *n)),
                Err(e) => tracing::debug!(error = %e, "queue depths not read this time"),
            }
        }
    });
}

/// Cancels `cancel` on SIGTERM or Ctrl-C (workers and the console).
pub(crate) fn spawn_signal_handler(cancel: CancellationToken) {
    tokio::spawn(async move {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => return,
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        tracing::info!("shutdown requested: finishing in-flight work");
        cancel.cancel();
    });
}

/// `tamis submit`: stores each file in the blob store and publishes it to the OCR queue.
/// Prints one line per file: `<document id>\t<file>`.
pub async fn submit_command(config: &Config, paths: Vec<PathBuf>, case: crate::embedded::Case) -> anyhow::Result<()> {
    let inputs = crate::embedded::collect_inputs(&paths)?;
    anyhow::ensure!(!inputs.is_empty(), "no files found under the given paths");
    let blobs = BlobStore::open(&config.blob.url)?;
    let broker =
        Broker::connect(&config.amqp, "tamis-submit", Duration::from_secs(10)).await?.with_retry(&config.retry);
    broker.declare_topology(&[]).await?;
    for input in inputs {
        let bytes =
            tokio::fs::read(&input.path).await.with_context(|| format!("cannot read {}", input.path.display()))?;
        let blob = blobs.put(bytes::Bytes::from(bytes)).await?;
        let document_id = DocumentId::new();
        let submission = Submission { document_id, case: &case, file_name: input.name.clone(), blob, client: None };
        submit_document(&broker, &blobs, submission).await?;
        println!("{}\t{}", document_id, input.name);
    }
    broker.close().await;
    Ok(())
}

/// One stored file on its way into the pipeline.
pub(crate) struct Submission<'a> {
    pub document_id: DocumentId,
    pub case: &'a crate::embedded::Case,
    /// For display only (it may be personal: never logged).
    pub file_name: String,
    /// The bytes, already in the blob store (claim-check).
    pub blob: tamis_shared::BlobRef,
    /// The API client that submitted it; None for `tamis submit`.
    pub client: Option<&'a str>,
}

/// Publishes a stored file to the pipeline, the one way in for `tamis submit` and `tamis api`:
/// `document.received`, then the work message to OCR, both confirmed; then its received record
/// and case index entry (shared/src/records.rs). Publishing first means a record always names a
/// document the pipeline has; a failure after publishing is repaired by submitting again (the
/// same document id gives the same message ids, which consumers deduplicate).
pub(crate) async fn submit_document(broker: &Broker, blobs: &BlobStore, s: Submission<'_>) -> anyhow::Result<()> {
    let document_id = s.document_id;
    let topology = broker.topology().clone();
    // Each document's trace starts here and follows it through every worker to its outcome.
    let span = tracing::info_span!("submit", otel.name = "tamis submit", tamis.document.id = %document_id);
    async {
        let envelope = Envelope {
            document_id,
            case_id: s.case.id.clone(),
            case_persons: s.case.persons.clone(),
            file_name: s.file_name,
            blob: s.blob,
            submitted_at: time::OffsetDateTime::now_utc(),
            trace: telemetry::current_trace_context(),
        };
        let work = Work::new(envelope);
        broker.publish(&events::received(&topology, &work.envelope)).await?;
        broker.publish(&work_message(&topology, Stage::Ocr, &work)?).await?;
        let env = &work.envelope;
        let received = records::Received {
            document_id,
            client: s.client.map(str::to_string),
            case_id: env.case_id.clone(),
            file_name: env.file_name.clone(),
            sha256: env.blob.sha256.clone(),
            media_type: env.blob.media_type.mime().to_string(),
            size: env.blob.size,
            received_at: env.submitted_at,
        };
        Records::new(blobs.clone())
            .put_received(&received)
            .await
            .with_context(|| format!("document {document_id} was published but its record was not written"))?;
        anyhow::Ok(())
    }
    .instrument(span)
    .await
}

/// `tamis topology`: declares everything (idempotent) and prints it.
pub async fn topology_command(config: &Config) -> anyhow::Result<()> {
    let broker =
        Broker::connect(&config.amqp, "tamis-topology", Duration::from_secs(10)).await?.with_retry(&config.retry);
    broker.declare_topology(&[]).await?;
    let t = broker.topology();
    println!("broker {}", broker.url());
    for e in t.exchanges() {
        println!("exchange {} ({:?})", e.name, e.kind);
    }
    for q in t.queues(&[]) {
        let binds: Vec<String> = q.bindings.iter().map(|(e, k)| format!("{e}[{k}]")).collect();
        let kind = match &q.kind {
            QueueKind::Quorum => "quorum".to_string(),
            QueueKind::Stream(r) => format!("stream, max-age {}, max-bytes {}", r.max_age, r.max_bytes),
        };
        println!(
            "queue {} ({kind}{}{}{}) <- {}",
            q.name,
            q.delivery_limit.map(|l| format!(", delivery-limit {l}")).unwrap_or_default(),
            q.message_ttl_ms.map(|ms| format!(", ttl {ms} ms")).unwrap_or_default(),
            q.dead_letter.as_ref().map(|x| format!(", dead-letter {x}")).unwrap_or_default(),
            binds.join(", ")
        );
    }
    broker.close().await;
    Ok(())
}
