//! The AMQP topology: every exchange, queue and binding Tamis declares, in one place, so the
//! workers, `tamis topology` and docs/topology.md cannot disagree.
//!
//! ```text
//! submit ──> {prefix}.pipeline (direct) ──ocr──> {prefix}.ocr ──> ocr worker ──classify──> ...
//!            ... {prefix}.classify ──> {prefix}.extract ──> {prefix}.route ──> route worker
//! route worker ──> {prefix}.events (topic, document.<transition>.<type>)   outcome events
//!              ──> {prefix}.review (direct, <type>) ──> {prefix}.review.<type>   review items
//! any queue, delivery limit reached or rejected ──> {prefix}.dlx (fanout) ──> {prefix}.parking
//! ```

use crate::document::DocumentType;

/// The pipeline stages that consume a queue, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    Ocr,
    Classify,
    Extract,
    Route,
}

impl Stage {
    /// Every stage, in pipeline order.
    pub const ALL: [Stage; 4] = [Stage::Ocr, Stage::Classify, Stage::Extract, Stage::Route];

    /// The stage's name: its routing key and the last part of its queue name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Stage::Ocr => "ocr",
            Stage::Classify => "classify",
            Stage::Extract => "extract",
            Stage::Route => "route",
        }
    }

    /// The stage that consumes what this one produces (None after route).
    pub fn next(&self) -> Option<Stage> {
        match self {
            Stage::Ocr => Some(Stage::Classify),
            Stage::Classify => Some(Stage::Extract),
            Stage::Extract => Some(Stage::Route),
            Stage::Route => None,
        }
    }
}

impl std::str::FromStr for Stage {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Stage::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown stage {s:?}: expected ocr, classify, extract or route"))
    }
}

/// Kind of exchange, as AMQP names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExchangeKind {
    Direct,
    Topic,
    Fanout,
}

/// One exchange to declare.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExchangeSpec {
    pub name: String,
    pub kind: ExchangeKind,
}

/// One durable quorum queue to declare, with its bindings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueSpec {
    pub name: String,
    /// (exchange, routing key) pairs.
    pub bindings: Vec<(String, String)>,
    /// Dead-letter into the parking exchange (every queue but parking itself).
    pub dead_letter: bool,
    /// `x-delivery-limit`, for queues whose consumers may fail transiently.
    pub delivery_limit: Option<u32>,
}

/// All names, derived from one prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topology {
    pub prefix: String,
    pub delivery_limit: u32,
}

impl Topology {
    /// The topology under `prefix` (default `tamis`).
    pub fn new(prefix: &str, delivery_limit: u32) -> Self {
        Topology { prefix: prefix.to_string(), delivery_limit }
    }

    /// Exchange carrying documents between stages; routing key = stage name.
    pub fn pipeline_exchange(&self) -> String {
        format!("{}.pipeline", self.prefix)
    }
    /// Topic exchange of outcome events for integrators.
    pub fn events_exchange(&self) -> String {
        format!("{}.events", self.prefix)
    }
    /// Exchange of review items; routing key = document type.
    pub fn review_exchange(&self) -> String {
        format!("{}.review", self.prefix)
    }
    /// Dead-letter exchange feeding the parking queue.
    pub fn dead_letter_exchange(&self) -> String {
        format!("{}.dlx", self.prefix)
    }
    /// Queue a stage consumes.
    pub fn stage_queue(&self, stage: Stage) -> String {
        format!("{}.{}", self.prefix, stage.as_str())
    }
    /// Queue holding review items of one document type.
    pub fn review_queue(&self, doc_type: &DocumentType) -> String {
        format!("{}.review.{}", self.prefix, doc_type.as_str())
    }
    /// Where messages go that could not be processed after the delivery limit.
    pub fn parking_queue(&self) -> String {
        format!("{}.parking", self.prefix)
    }

    /// Routing key of an outcome event: `document.<transition>.<type>` (type `none` when unknown).
    pub fn event_routing_key(transition: &str, doc_type: Option<&DocumentType>) -> String {
        format!("document.{}.{}", transition, doc_type.map(|t| t.as_str()).unwrap_or("none"))
    }

    /// Every exchange.
    pub fn exchanges(&self) -> Vec<ExchangeSpec> {
        vec![
            ExchangeSpec { name: self.pipeline_exchange(), kind: ExchangeKind::Direct },
            ExchangeSpec { name: self.events_exchange(), kind: ExchangeKind::Topic },
            ExchangeSpec { name: self.review_exchange(), kind: ExchangeKind::Direct },
            ExchangeSpec { name: self.dead_letter_exchange(), kind: ExchangeKind::Fanout },
        ]
    }

    /// Every queue with its bindings. Review queues exist for the built-in types; a custom type's
    /// items go to the `other` queue unless `extra_types` names it.
    pub fn queues(&self, extra_types: &[DocumentType]) -> Vec<QueueSpec> {
        let mut q: Vec<QueueSpec> = Stage::ALL
            .iter()
            .map(|s| QueueSpec {
                name: self.stage_queue(*s),
                bindings: vec![(self.pipeline_exchange(), s.as_str().to_string())],
                dead_letter: true,
                delivery_limit: Some(self.delivery_limit),
            })
            .collect();
        for t in DocumentType::BUILT_IN.iter().chain(extra_types) {
            q.push(QueueSpec {
                name: self.review_queue(t),
                bindings: vec![(self.review_exchange(), t.as_str().to_string())],
                dead_letter: true,
                delivery_limit: None,
            });
        }
        q.push(QueueSpec {
            name: self.parking_queue(),
            bindings: vec![(self.dead_letter_exchange(), String::new())],
            dead_letter: false,
            delivery_limit: None,
        });
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stage_queue_is_bound_and_dead_lettered() {
        let t = Topology::new("tamis", 5);
        let qs = t.queues(&[]);
        for s in Stage::ALL {
            let q = qs.iter().find(|q| q.name == t.stage_queue(s)).unwrap();
            assert_eq!(q.bindings, vec![("tamis.pipeline".to_string(), s.as_str().to_string())]);
            assert!(q.dead_letter);
            assert_eq!(q.delivery_limit, Some(5));
        }
        assert_eq!(qs.iter().filter(|q| q.name.starts_with("tamis.review.")).count(), 12);
        assert!(!qs.iter().find(|q| q.name == "tamis.parking").unwrap().dead_letter);
    }

    #[test]
    fn stages_chain_in_order() {
        assert_eq!(Stage::Ocr.next(), Some(Stage::Classify));
        assert_eq!(Stage::Route.next(), None);
        assert_eq!("extract".parse::<Stage>().unwrap(), Stage::Extract);
        assert!("ocr2".parse::<Stage>().is_err());
    }
}
