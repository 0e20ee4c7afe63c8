//! Logging and tracing set-up shared by every command, and the W3C trace-context helpers the
//! broker adapter uses. Logs and spans carry ids, types, codes and timings, never document
//! content: no field value or text is ever passed to a log macro or a span.
//!
//! Spans always exist (so trace context is propagated through the broker and into the events
//! even when nothing is exported); they are exported over OTLP/HTTP (protobuf) only when
//! `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set. Metrics (the
//! ones `/metrics` serves) are pushed the same way when `OTEL_EXPORTER_OTLP_ENDPOINT` or
//! `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` is set. The other standard variables
//! (`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_BSP_*`,
//! `OTEL_METRIC_EXPORT_INTERVAL`, `OTEL_TRACES_EXPORTER=none`, `OTEL_METRICS_EXPORTER=none`,
//! `OTEL_SDK_DISABLED`...) are honoured.

use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::collections::BTreeMap;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{filter, fmt, EnvFilter, Layer};

/// The trace-context header (W3C) and CloudEvents distributed-tracing extension attribute.
pub const TRACEPARENT: &str = "traceparent";
/// Vendor trace state (W3C), carried beside `traceparent`.
pub const TRACESTATE: &str = "tracestate";

/// What must be flushed before the process exits.
#[must_use = "call shutdown() before exiting, or the last spans are lost"]
pub struct Telemetry {
    provider: SdkTracerProvider,
    exporting: bool,
    meters: Option<SdkMeterProvider>,
}

impl Telemetry {
    /// True when spans are exported over OTLP.
    pub fn exporting(&self) -> bool {
        self.exporting
    }

    /// True when metrics are pushed over OTLP.
    pub fn exporting_metrics(&self) -> bool {
        self.meters.is_some()
    }

    /// Exports the spans and metrics still buffered and stops the exporters.
    pub fn shutdown(self) {
        if let Err(e) = self.provider.shutdown() {
            if self.exporting {
                eprintln!("tamis: warning: could not flush the last traces: {e}");
            }
        }
        // The last export carries the counts of the final documents: without it, a worker that
        // drains and stops between two periodic exports would under-report.
        if let Some(meters) = self.meters {
            if let Err(e) = meters.shutdown() {
                eprintln!("tamis: warning: could not push the last metrics: {e}");
            }
        }
    }
}

/// The OpenTelemetry signals Tamis can export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Signal {
    Traces,
    Metrics,
}

/// Whether the environment asks for OTLP export of `signal`.
fn otlp_requested(signal: Signal, env: impl Fn(&str) -> Option<String>) -> bool {
    let (exporter, endpoint) = match signal {
        Signal::Traces => ("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
        Signal::Metrics => ("OTEL_METRICS_EXPORTER", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"),
    };
    let set = |k: &str| env(k).is_some_and(|v| !v.trim().is_empty());
    let disabled = env("OTEL_SDK_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true"))
        || env(exporter).is_some_and(|v| v.trim().eq_ignore_ascii_case("none"));
    !disabled && (set("OTEL_EXPORTER_OTLP_ENDPOINT") || set(endpoint))
}

/// Installs the log subscriber (human-readable on a terminal, JSON lines otherwise;
/// `TAMIS_LOG_FORMAT=json|text` forces one; level from `RUST_LOG`, default `default_level`) and
/// the tracing pipeline. `service` names the process in traces unless `OTEL_SERVICE_NAME` does.
pub fn init(default_level: &str, service: &str) -> Telemetry {
    let exporting = otlp_requested(Signal::Traces, |k| std::env::var(k).ok());
    let mut builder = SdkTracerProvider::builder();
    let mut resource = opentelemetry_sdk::Resource::builder();
    if std::env::var_os("OTEL_SERVICE_NAME").is_none() {
        resource = resource.with_service_name(service.to_string());
    }
    let resource = resource.build();
    builder = builder.with_resource(resource.clone());
    let mut export_error = None;
    if exporting {
        match opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
            .build()
        {
            Ok(exporter) => builder = builder.with_batch_exporter(exporter),
            Err(e) => export_error = Some(e.to_string()),
        }
    }
    let provider = builder.build();
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());

    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let json = match std::env::var("TAMIS_LOG_FORMAT").as_deref() {
        Ok("json") => true,
        Ok("text") => false,
        _ => !std::io::IsTerminal::is_terminal(&std::io::stderr()),
    };
    let logs = fmt::layer().with_writer(std::io::stderr).with_target(false);
    let logs = if json {
        logs.json().flatten_event(true).with_current_span(false).with_span_list(false).boxed()
    } else {
        logs.compact().boxed()
    };
    // Spans follow their own filter, not RUST_LOG: a quiet log level must not cut the trace.
    // Only Tamis's own spans and events at info and above go to traces.
    let traces = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("tamis"))
        .with_filter(filter::filter_fn(|m| m.target().starts_with("tamis") && *m.level() <= tracing::Level::INFO));
    let _ = tracing_subscriber::registry().with(logs.with_filter(filter)).with(traces).try_init();
    let exporting = exporting && export_error.is_none();
    if let Some(e) = export_error {
        tracing::warn!(error = %e, "OTLP trace exporter not started; traces are not exported");
    }
    let meters =
        otlp_requested(Signal::Metrics, |k| std::env::var(k).ok()).then(|| metrics_pipeline(resource)).flatten();
    Telemetry { provider, exporting, meters }
}

/// Starts the periodic OTLP push of this process's metrics (every `OTEL_METRIC_EXPORT_INTERVAL`
/// ms, default 60 s; cumulative, like a Prometheus scrape); None, with a warning, if the
/// exporter cannot be built.
fn metrics_pipeline(resource: opentelemetry_sdk::Resource) -> Option<SdkMeterProvider> {
    let exporter = match opentelemetry_otlp::MetricExporter::builder()
        .with_http()
        .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
        .build()
    {
        Ok(exporter) => exporter,
        Err(e) => {
            tracing::warn!(error = %e, "OTLP metric exporter not started; metrics are only served on /metrics");
            return None;
        }
    };
    let provider = SdkMeterProvider::builder().with_resource(resource).with_periodic_exporter(exporter).build();
    crate::metrics::global().export_otlp(&provider.meter("tamis"));
    Some(provider)
}

struct MapInjector<'a>(&'a mut BTreeMap<String, String>);

impl Injector for MapInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        self.0.insert(key.to_string(), value);
    }
}

struct MapExtractor<'a>(&'a BTreeMap<String, String>);

impl Extractor for MapExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }
    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(String::as_str).collect()
    }
}

/// Writes `span`'s W3C trace context (`traceparent`, and `tracestate` when not empty) into
/// `headers`; writes nothing when the span is not recorded by the tracing pipeline.
pub fn inject(span: &Span, headers: &mut BTreeMap<String, String>) {
    let cx = span.context();
    TraceContextPropagator::new().inject_context(&cx, &mut MapInjector(headers));
}

/// The W3C trace context of the current span, as header/attribute name -> value.
pub fn current_trace_context() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    inject(&Span::current(), &mut out);
    out
}

/// Makes the trace context carried in `headers` (if any) the parent of `span`, so the trace
/// continues across the broker.
pub fn continue_trace(span: &Span, headers: &BTreeMap<String, String>) {
    if headers.contains_key(TRACEPARENT) {
        let cx = TraceContextPropagator::new().extract(&MapExtractor(headers));
        let _ = span.set_parent(cx);
    }
}

/// The span of one publish (OpenTelemetry messaging conventions for RabbitMQ).
pub fn publish_span(
    exchange: &str,
    routing_key: &str,
    message_id: &str,
    body_size: usize,
    document_id: Option<&str>,
) -> Span {
    tracing::info_span!(
        "publish",
        otel.name = format!("publish {exchange}"),
        otel.kind = "producer",
        messaging.system = "rabbitmq",
        messaging.operation.name = "publish",
        messaging.operation.type = "send",
        messaging.destination.name = exchange,
        messaging.rabbitmq.destination.routing_key = routing_key,
        messaging.message.id = message_id,
        messaging.message.body.size = body_size as i64,
        tamis.document.id = document_id.unwrap_or_default(),
    )
}

/// The span of processing one delivery from `queue`, continuing the trace in its headers.
pub fn process_span(
    queue: &str,
    exchange: &str,
    routing_key: &str,
    message_id: Option<&str>,
    delivery_tag: u64,
    headers: &BTreeMap<String, String>,
) -> Span {
    let span = tracing::info_span!(
        "process",
        otel.name = format!("process {queue}"),
        otel.kind = "consumer",
        messaging.system = "rabbitmq",
        messaging.operation.name = "process",
        messaging.operation.type = "process",
        messaging.destination.name = exchange,
        messaging.destination.subscription.name = queue,
        messaging.rabbitmq.destination.routing_key = routing_key,
        messaging.rabbitmq.message.delivery_tag = delivery_tag as i64,
        messaging.message.id = message_id.unwrap_or_default(),
        tamis.document.id = headers.get("document_id").map(String::as_str).unwrap_or_default(),
    );
    continue_trace(&span, headers);
    span
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_only_when_an_endpoint_is_set() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        use Signal::*;
        for signal in [Traces, Metrics] {
            assert!(!otlp_requested(signal, env(&[])));
            assert!(!otlp_requested(signal, env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", " ")])));
            assert!(otlp_requested(signal, env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")])));
            assert!(!otlp_requested(
                signal,
                env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"), ("OTEL_SDK_DISABLED", "true")])
            ));
        }
        assert!(otlp_requested(Traces, env(&[("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318/v1/traces")])));
        assert!(!otlp_requested(Metrics, env(&[("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318/v1/traces")])));
        assert!(otlp_requested(Metrics, env(&[("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://c:4318/v1/metrics")])));
        let traces_off = env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"), ("OTEL_TRACES_EXPORTER", "none")]);
        assert!(!otlp_requested(Traces, traces_off));
        assert!(otlp_requested(Metrics, traces_off), "turning traces off leaves metrics on");
        let metrics_off = env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"), ("OTEL_METRICS_EXPORTER", "none")]);
        assert!(!otlp_requested(Metrics, metrics_off));
        assert!(otlp_requested(Traces, metrics_off));
    }

    #[test]
    fn trace_context_round_trips_through_headers() {
        let mut headers = BTreeMap::new();
        headers.insert(TRACEPARENT.to_string(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_string());
        let cx = TraceContextPropagator::new().extract(&MapExtractor(&headers));
        let mut out = BTreeMap::new();
        TraceContextPropagator::new().inject_context(&cx, &mut MapInjector(&mut out));
        assert_eq!(out.get(TRACEPARENT), headers.get(TRACEPARENT));
    }
}
