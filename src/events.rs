//! Outcome events for integrators: CloudEvents 1.0 in structured JSON mode, published on the
//! events exchange with routing key `document.<transition>.<type>`.

use serde_json::{json, Value};
use tamis_shared::broker::OutMessage;
use tamis_shared::telemetry;
use tamis_shared::topology::Topology;
use tamis_shared::{Decision, DocumentId, DocumentType, Envelope, Outcome};

/// Version of the event contract; part of every `type` and `dataschema`.
pub const EVENT_VERSION: &str = "v1";
/// Where the JSON Schemas are published (the repository's `schemas/` folder).
pub const SCHEMA_BASE: &str = "https://tamis.example/schemas";

/// The transitions a document goes through, as they appear in event types and routing keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    Received,
    Accepted,
    ReviewRequested,
    Rejected,
    /// A person decided (the human outcome of a document that was sent to review).
    Reviewed,
}

impl Transition {
    /// Name in the event type and routing key.
    pub fn as_str(&self) -> &'static str {
        match self {
            Transition::Received => "received",
            Transition::Accepted => "accepted",
            Transition::ReviewRequested => "review_requested",
            Transition::Rejected => "rejected",
            Transition::Reviewed => "reviewed",
        }
    }

    /// The outcome transition of a decision.
    pub fn of(decision: Decision) -> Transition {
        match decision {
            Decision::Auto => Transition::Accepted,
            Decision::Review => Transition::ReviewRequested,
            Decision::Error => Transition::Rejected,
        }
    }
}

/// The CloudEvents `type` of a transition.
pub fn event_type(t: Transition) -> String {
    format!("fr.tamis.document.{}.{}", t.as_str(), EVENT_VERSION)
}

fn cloud_event(
    t: Transition,
    id: &DocumentId,
    case_id: Option<&str>,
    trace: &std::collections::BTreeMap<String, String>,
    data: Value,
) -> Value {
    let mut e = json!({
        "specversion": "1.0",
        "id": id.transition_id(t.as_str()).to_string(),
        "source": "urn:tamis:pipeline",
        "type": event_type(t),
        "subject": id.to_string(),
        "time": time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
        "datacontenttype": "application/json",
        "dataschema": format!("{SCHEMA_BASE}/document.{}.{}.json", t.as_str(), EVENT_VERSION),
        "data": data,
    });
    if let Some(c) = case_id {
        e["caseid"] = json!(c);
    }
    // The span producing the event (route's stage span, submit's span) puts the event in the
    // document's trace; outside any traced span, the submission's context is the best we know.
    let current = telemetry::current_trace_context();
    let trace = if current.contains_key(telemetry::TRACEPARENT) { &current } else { trace };
    for k in [telemetry::TRACEPARENT, telemetry::TRACESTATE] {
        if let Some(v) = trace.get(k).filter(|v| !v.is_empty()) {
            e[k] = json!(v);
        }
    }
    e
}

/// Adds `"case_id"` to `data` only when there is one: unknown means absent, everywhere (events,
/// outcomes, review items), never null.
fn with_case_id(mut data: Value, case_id: Option<&str>) -> Value {
    if let Some(c) = case_id {
        data["case_id"] = json!(c);
    }
    data
}

fn message(
    topology: &Topology,
    t: Transition,
    doc_type: Option<&DocumentType>,
    id: &DocumentId,
    event: Value,
) -> OutMessage {
    let mut headers = std::collections::BTreeMap::new();
    headers.insert("document_id".to_string(), id.to_string());
    OutMessage {
        exchange: topology.events_exchange(),
        routing_key: Topology::event_routing_key(t.as_str(), doc_type),
        body: serde_json::to_vec(&event).unwrap_or_default(),
        content_type: "application/cloudevents+json".into(),
        message_id: event["id"].as_str().unwrap_or_default().to_string(),
        kind: event_type(t),
        headers,
    }
}

/// `document.received`, published by submit.
pub fn received(topology: &Topology, env: &Envelope) -> OutMessage {
    let data = json!({
        "document_id": env.document_id,
        "file_name": env.file_name,
        "sha256": env.blob.sha256,
        "media_type": env.blob.media_type.mime(),
        "size": env.blob.size,
    });
    let data = with_case_id(data, env.case_id.as_deref());
    let ev = cloud_event(Transition::Received, &env.document_id, env.case_id.as_deref(), &env.trace, data);
    message(topology, Transition::Received, None, &env.document_id, ev)
}

/// The outcome event of a decision: accepted, review_requested or rejected.
pub fn outcome(topology: &Topology, env: &Envelope, o: &Outcome) -> OutMessage {
    let t = Transition::of(o.decision);
    let data = serde_json::to_value(o).unwrap_or(Value::Null);
    let ev = cloud_event(t, &o.document_id, o.case_id.as_deref(), &env.trace, data);
    message(topology, t, o.doc_type(), &o.document_id, ev)
}

/// `document.reviewed`: a person's decision, who made it, when, and what changed.
pub fn reviewed(topology: &Topology, r: &tamis_route::review::Reviewed) -> OutMessage {
    let data = serde_json::to_value(r).unwrap_or(Value::Null);
    let t = Transition::Reviewed;
    let mut ev = cloud_event(t, &r.document_id, r.case_id.as_deref(), &Default::default(), data);
    // One event per decision (a document may be decided again if its item was re-queued).
    ev["id"] = json!(r.document_id.transition_id(&format!("reviewed:{}", r.decision_id)).to_string());
    ev["source"] = json!("urn:tamis:review");
    message(topology, t, r.doc_type.as_ref(), &r.document_id, ev)
}

/// The review item put on the review queue of the document's type.
pub fn review_item(topology: &Topology, work: &tamis_shared::Work, o: &Outcome) -> OutMessage {
    let env = &work.envelope;
    let item = tamis_route::review::ReviewItem {
        document_id: o.document_id,
        case_id: o.case_id.clone(),
        case_persons: env.case_persons.clone(),
        blob: env.blob.clone(),
        file_name: env.file_name.clone(),
        outcome: o.clone(),
        pages: work
            .pages
            .iter()
            .map(|p| tamis_route::review::PageGeometry {
                number: p.number,
                width: p.width,
                height: p.height,
                rotation: p.rotation,
                skew: p.skew,
            })
            .collect(),
    };
    // Custom types have no queue of their own unless declared: they wait in the `other` queue
    // rather than being dropped as unroutable.
    let t = match o.doc_type() {
        Some(t) if !matches!(t, DocumentType::Custom(_)) => t.clone(),
        _ => DocumentType::Other,
    };
    let mut headers = std::collections::BTreeMap::new();
    headers.insert("document_id".to_string(), o.document_id.to_string());
    OutMessage {
        exchange: topology.review_exchange(),
        routing_key: t.as_str().to_string(),
        body: serde_json::to_vec(&item).unwrap_or_default(),
        content_type: "application/json".into(),
        message_id: o.document_id.transition_id("review_item").to_string(),
        kind: tamis_route::review::REVIEW_ITEM_TYPE.into(),
        headers,
    }
}
