//! The metrics of a Tamis process: served in Prometheus form by the ops server at `GET /metrics`,
//! and pushed over OTLP too when telemetry set-up asks for it (`export_otlp`).
//!
//! The names and labels are a contract (the Helm chart's dashboard and alerts use them): change
//! them only with the chart. Labels carry stage names, queue names, document types, decisions and
//! reason codes, never a document id or anything read from a document.
//!
//! Each OTLP instrument is named so that a collector's standard OTLP -> Prometheus translation
//! (dots to underscores, `_total` on counters, the unit `s` as `_seconds`) gives back the
//! Prometheus name, so one dashboard serves both paths.

use opentelemetry::metrics::{Counter as OtelCounter, Gauge as OtelGauge, Histogram as OtelHistogram, Meter};
use opentelemetry::KeyValue;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::OnceLock;

/// Content type of `encode`'s output (OpenMetrics text, which Prometheus scrapes natively).
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// What happened to a message at a stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StageOutcome {
    /// Processed and passed on (or routed) without a failure.
    Ok,
    /// Processed, and the document failed at this stage (it will end `document.rejected`).
    Error,
    /// Unusable message dead-lettered to the parking queue.
    Parked,
    /// Transient trouble: requeued to be tried again.
    Retried,
}

impl StageOutcome {
    /// The `outcome` label value.
    pub fn as_str(&self) -> &'static str {
        match self {
            StageOutcome::Ok => "ok",
            StageOutcome::Error => "error",
            StageOutcome::Parked => "parked",
            StageOutcome::Retried => "retried",
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StageLabels {
    stage: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StageOutcomeLabels {
    stage: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StageCodeLabels {
    stage: String,
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DecisionLabels {
    doc_type: String,
    decision: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TypeLabels {
    doc_type: String,
}

/// The review series' label, `type` as the chart's alert and dashboard query it.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReviewLabels {
    r#type: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QueueLabels {
    queue: String,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

/// Bucket bounds of the confidence histogram (shared by both exports).
const CONFIDENCE_BOUNDS: [f64; 14] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99, 1.0];

/// Bucket bounds of the time histograms: 5 ms .. ~10 min (cheap stages take milliseconds, OCR of
/// a long scan minutes).
fn seconds_bounds() -> Vec<f64> {
    prometheus_client::metrics::histogram::exponential_buckets(0.005, 2.0, 18).collect()
}

fn seconds_histogram() -> Histogram {
    Histogram::new(seconds_bounds())
}

fn confidence_histogram() -> Histogram {
    Histogram::new(CONFIDENCE_BOUNDS)
}

/// The same metrics as OpenTelemetry instruments, for OTLP export.
struct OtelInstruments {
    stage_documents: OtelCounter<u64>,
    stage_duration: OtelHistogram<f64>,
    stage_errors: OtelCounter<u64>,
    decisions: OtelCounter<u64>,
    type_confidence: OtelHistogram<f64>,
    queue_messages: OtelGauge<i64>,
    queue_lag: OtelHistogram<f64>,
}

impl OtelInstruments {
    fn new(meter: &Meter) -> OtelInstruments {
        OtelInstruments {
            stage_documents: meter
                .u64_counter("tamis.stage.documents")
                .with_description("Messages handled by a stage, by outcome (ok, error, parked, retried)")
                .build(),
            stage_duration: meter
                .f64_histogram("tamis.stage.duration")
                .with_unit("s")
                .with_description("Time a stage spent on one message")
                .with_boundaries(seconds_bounds())
                .build(),
            stage_errors: meter
                .u64_counter("tamis.stage.errors")
                .with_description("Documents a stage found unusable, by reason code (empty, corrupt, timeout...)")
                .build(),
            decisions: meter
                .u64_counter("tamis.decisions")
                .with_description("Routing decisions (auto, review, error) by document type")
                .build(),
            type_confidence: meter
                .f64_histogram("tamis.type_confidence")
                .with_description("Calibrated confidence of the document type at routing")
                .with_boundaries(CONFIDENCE_BOUNDS.to_vec())
                .build(),
            queue_messages: meter
                .i64_gauge("tamis.queue.messages")
                .with_description("Messages ready in a queue (refreshed periodically by a passive declare)")
                .build(),
            queue_lag: meter
                .f64_histogram("tamis.stage.queue_lag")
                .with_unit("s")
                .with_description("Time a message waited between its publication and its consumption by a stage")
                .with_boundaries(seconds_bounds())
                .build(),
        }
    }
}

/// Every metric Tamis exports, registered once per process.
pub struct Metrics {
    registry: Registry,
    stage_documents: Family<StageOutcomeLabels, Counter>,
    stage_duration: HistogramFamily<StageLabels>,
    stage_errors: Family<StageCodeLabels, Counter>,
    decisions: Family<DecisionLabels, Counter>,
    type_confidence: HistogramFamily<TypeLabels>,
    queue_messages: Family<QueueLabels, Gauge>,
    queue_lag: HistogramFamily<StageLabels>,
    review_oldest_age: Family<ReviewLabels, Gauge<f64, std::sync::atomic::AtomicU64>>,
    review_items: Family<ReviewLabels, Gauge>,
    otel: OnceLock<OtelInstruments>,
}

impl Metrics {
    fn new() -> Metrics {
        let mut registry = Registry::default();
        let stage_documents = Family::<StageOutcomeLabels, Counter>::default();
        registry.register(
            "tamis_stage_documents",
            "Messages handled by a stage, by outcome (ok, error, parked, retried)",
            stage_documents.clone(),
        );
        let stage_duration =
            HistogramFamily::<StageLabels>::new_with_constructor(seconds_histogram as fn() -> Histogram);
        registry.register("tamis_stage_duration_seconds", "Time a stage spent on one message", stage_duration.clone());
        let stage_errors = Family::<StageCodeLabels, Counter>::default();
        registry.register(
            "tamis_stage_errors",
            "Documents a stage found unusable, by reason code (empty, corrupt, timeout...)",
            stage_errors.clone(),
        );
        let decisions = Family::<DecisionLabels, Counter>::default();
        registry.register(
            "tamis_decisions",
            "Routing decisions (auto, review, error) by document type",
            decisions.clone(),
        );
        let type_confidence =
            HistogramFamily::<TypeLabels>::new_with_constructor(confidence_histogram as fn() -> Histogram);
        registry.register(
            "tamis_type_confidence",
            "Calibrated confidence of the document type at routing",
            type_confidence.clone(),
        );
        let queue_messages = Family::<QueueLabels, Gauge>::default();
        registry.register(
            "tamis_queue_messages",
            "Messages ready in a queue (refreshed periodically by a passive declare)",
            queue_messages.clone(),
        );
        let queue_lag = HistogramFamily::<StageLabels>::new_with_constructor(seconds_histogram as fn() -> Histogram);
        registry.register(
            "tamis_stage_queue_lag_seconds",
            "Time a message waited between its publication and its consumption by a stage",
            queue_lag.clone(),
        );
        // Set by the console only (the review inbox is its business), refreshed every few seconds.
        let review_oldest_age = Family::<ReviewLabels, Gauge<f64, std::sync::atomic::AtomicU64>>::default();
        registry.register(
            "tamis_review_oldest_age_seconds",
            "How long the item that has waited longest for a person in a review queue has waited; absent while unknown",
            review_oldest_age.clone(),
        );
        let review_items = Family::<ReviewLabels, Gauge>::default();
        registry.register(
            "tamis_review_items",
            "Items waiting for a person in a review queue, those a reviewer holds open included",
            review_items.clone(),
        );
        Metrics {
            registry,
            review_oldest_age,
            review_items,
            stage_documents,
            stage_duration,
            stage_errors,
            decisions,
            type_confidence,
            queue_messages,
            queue_lag,
            otel: OnceLock::new(),
        }
    }

    /// Also records every metric from now on into instruments of `meter` (the OTLP export);
    /// a second call changes nothing.
    pub fn export_otlp(&self, meter: &Meter) {
        let _ = self.otel.set(OtelInstruments::new(meter));
    }

    /// Counts one message handled by `stage`.
    pub fn stage_document(&self, stage: &str, outcome: StageOutcome) {
        let l = StageOutcomeLabels { stage: stage.to_string(), outcome: outcome.as_str().to_string() };
        self.stage_documents.get_or_create(&l).inc();
        if let Some(o) = self.otel.get() {
            o.stage_documents
                .add(1, &[KeyValue::new("stage", stage.to_string()), KeyValue::new("outcome", outcome.as_str())]);
        }
    }

    /// Records the time `stage` spent on one message.
    pub fn stage_duration(&self, stage: &str, seconds: f64) {
        self.stage_duration.get_or_create(&StageLabels { stage: stage.to_string() }).observe(seconds);
        if let Some(o) = self.otel.get() {
            o.stage_duration.record(seconds, &[KeyValue::new("stage", stage.to_string())]);
        }
    }

    /// Counts a document `stage` found unusable with reason `code`.
    pub fn stage_error(&self, stage: &str, code: &str) {
        self.stage_errors.get_or_create(&StageCodeLabels { stage: stage.to_string(), code: code.to_string() }).inc();
        if let Some(o) = self.otel.get() {
            o.stage_errors
                .add(1, &[KeyValue::new("stage", stage.to_string()), KeyValue::new("code", code.to_string())]);
        }
    }

    /// Counts one routing decision.
    pub fn decision(&self, doc_type: &str, decision: &str) {
        let l = DecisionLabels { doc_type: doc_type.to_string(), decision: decision.to_string() };
        self.decisions.get_or_create(&l).inc();
        if let Some(o) = self.otel.get() {
            o.decisions.add(
                1,
                &[KeyValue::new("doc_type", doc_type.to_string()), KeyValue::new("decision", decision.to_string())],
            );
        }
    }

    /// Records the type confidence of a routed document.
    pub fn type_confidence(&self, doc_type: &str, confidence: f64) {
        self.type_confidence.get_or_create(&TypeLabels { doc_type: doc_type.to_string() }).observe(confidence);
        if let Some(o) = self.otel.get() {
            o.type_confidence.record(confidence, &[KeyValue::new("doc_type", doc_type.to_string())]);
        }
    }

    /// Sets the last measured depth of `queue`.
    pub fn queue_messages(&self, queue: &str, messages: u32) {
        self.queue_messages.get_or_create(&QueueLabels { queue: queue.to_string() }).set(messages as i64);
        if let Some(o) = self.otel.get() {
            o.queue_messages.record(messages as i64, &[KeyValue::new("queue", queue.to_string())]);
        }
    }

    /// Records how long a message waited in the queue of `stage`.
    pub fn queue_lag(&self, stage: &str, seconds: f64) {
        self.queue_lag.get_or_create(&StageLabels { stage: stage.to_string() }).observe(seconds.max(0.0));
        if let Some(o) = self.otel.get() {
            o.queue_lag.record(seconds.max(0.0), &[KeyValue::new("stage", stage.to_string())]);
        }
    }

    /// Sets the review queue of `doc_type`: `items` waiting for a person, and how long the oldest
    /// has waited (0 when none waits; `None` when unknown, which removes the series rather than
    /// report an age that could be too young). Prometheus only: the console is scraped.
    pub fn review_queue(&self, doc_type: &str, items: u64, oldest_secs: Option<f64>) {
        let l = ReviewLabels { r#type: doc_type.to_string() };
        self.review_items.get_or_create(&l).set(items as i64);
        match oldest_secs {
            Some(s) => {
                self.review_oldest_age.get_or_create(&l).set(s.max(0.0));
            }
            None => {
                self.review_oldest_age.remove(&l);
            }
        }
    }

    /// The metrics in OpenMetrics text format.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// This process's metrics.
pub fn global() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_names_are_the_dashboard_contract() {
        let m = Metrics::new();
        m.stage_document("ocr", StageOutcome::Retried);
        m.stage_duration("ocr", 1.5);
        m.stage_error("ocr", "corrupt");
        m.decision("payslip", "auto");
        m.type_confidence("payslip", 0.97);
        m.queue_messages("tamis.ocr", 7);
        m.queue_lag("classify", 0.2);
        m.review_queue("payslip", 3, Some(90.5));
        m.review_queue("passport", 1, Some(4.0));
        m.review_queue("passport", 2, None);
        let text = m.encode().unwrap();
        assert!(!text.contains(r#"tamis_review_oldest_age_seconds{type="passport"}"#), "unknown: absent\n{text}");
        for line in [
            r#"tamis_stage_documents_total{stage="ocr",outcome="retried"} 1"#,
            r#"tamis_stage_duration_seconds_count{stage="ocr"} 1"#,
            r#"tamis_stage_errors_total{stage="ocr",code="corrupt"} 1"#,
            r#"tamis_decisions_total{doc_type="payslip",decision="auto"} 1"#,
            r#"tamis_type_confidence_bucket{le="0.98",doc_type="payslip"} 1"#,
            r#"tamis_queue_messages{queue="tamis.ocr"} 7"#,
            r#"tamis_stage_queue_lag_seconds_count{stage="classify"} 1"#,
            r#"tamis_review_oldest_age_seconds{type="payslip"} 90.5"#,
            r#"tamis_review_items{type="payslip"} 3"#,
            r#"tamis_review_items{type="passport"} 2"#,
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line} in:\n{text}");
        }
    }
}
