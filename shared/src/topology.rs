//! The AMQP topology: every exchange, queue and binding Tamis declares, in one place, so the
//! workers, `tamis topology` and docs/topology.md cannot disagree.
//!
//! ```text
//! submit ──> {prefix}.pipeline (direct) ──ocr──> {prefix}.ocr ──> ocr worker ──classify──> ...
//!            ... {prefix}.classify ──> {prefix}.extract ──> {prefix}.route ──> route worker
//! route worker ──> {prefix}.events (topic, document.<transition>.<type>)   outcome events
//!              ──> {prefix}.review (direct, <type>) ──> {prefix}.review.<type>   review items
//! any queue, delivery limit reached or rejected ──> {prefix}.dlx (fanout) ──> {prefix}.parking
//! transient failure ──> {prefix}.retry.<delay> (fanout) ──> {prefix}.retry.<delay> (TTL)
//!                   ──expired──> {prefix}.pipeline, same stage routing key
//! every publish that moves a document ──> {prefix}.journal (fanout) ──> {prefix}.journal (stream)
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

/// How long the journal stream keeps its entries: whichever limit is reached first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JournalRetention {
    /// `x-max-age`: a number and a unit, `Y`, `M`, `D`, `h`, `m` or `s` (`7D`).
    pub max_age: String,
    /// `x-max-length-bytes`: the most the stream keeps on disk.
    pub max_bytes: u64,
    /// `x-stream-max-segment-size-bytes`: retention drops whole segments, so smaller segments
    /// follow the limits more closely than the broker's default of 500 MB.
    pub segment_bytes: u64,
}

impl Default for JournalRetention {
    fn default() -> Self {
        JournalRetention { max_age: "7D".into(), max_bytes: 5_000_000_000, segment_bytes: 100_000_000 }
    }
}

/// What kind of queue to declare.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueueKind {
    /// A quorum queue: each message consumed (and acknowledged) once.
    Quorum,
    /// A stream (the journal): an append-only log every reader reads from any offset, trimmed
    /// by age and size only.
    Stream(JournalRetention),
}

/// One durable queue to declare (quorum, or the journal's stream), with its bindings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueSpec {
    pub name: String,
    pub kind: QueueKind,
    /// (exchange, routing key) pairs.
    pub bindings: Vec<(String, String)>,
    /// Exchange dead-lettered messages go to (at-least-once): the parking exchange for every
    /// consumed queue, the pipeline exchange for delay queues, none for parking itself.
    pub dead_letter: Option<String>,
    /// `x-delivery-limit`, for queues whose consumers may fail transiently.
    pub delivery_limit: Option<u32>,
    /// `x-message-ttl` in milliseconds: set on delay queues only, whose messages wait it out.
    pub message_ttl_ms: Option<u64>,
}

/// All names, derived from one prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topology {
    pub prefix: String,
    pub delivery_limit: u32,
    /// Delay tiers of the retry path, shortest first; one delay queue each.
    pub retry_delays: Vec<std::time::Duration>,
    /// Retention of the journal stream.
    pub journal: JournalRetention,
}

/// The default delay tiers: 1 s, 5 s, 30 s.
pub const DEFAULT_RETRY_DELAYS_MS: [u64; 3] = [1_000, 5_000, 30_000];

/// A delay as it appears in a queue name: `500ms`, `5s`, `2m`.
pub fn delay_name(d: std::time::Duration) -> String {
    let ms = d.as_millis() as u64;
    if ms.is_multiple_of(60_000) && ms > 0 {
        format!("{}m", ms / 60_000)
    } else if ms.is_multiple_of(1_000) && ms > 0 {
        format!("{}s", ms / 1_000)
    } else {
        format!("{ms}ms")
    }
}

impl Topology {
    /// The topology under `prefix` (default `tamis`), with the default retry delays.
    pub fn new(prefix: &str, delivery_limit: u32) -> Self {
        let retry_delays = DEFAULT_RETRY_DELAYS_MS.iter().map(|ms| std::time::Duration::from_millis(*ms)).collect();
        Topology { prefix: prefix.to_string(), delivery_limit, retry_delays, journal: JournalRetention::default() }
    }

    /// The same topology with another journal retention.
    pub fn with_journal(mut self, retention: JournalRetention) -> Self {
        self.journal = retention;
        self
    }

    /// The same topology with other retry delay tiers (empty keeps the defaults).
    pub fn with_retry_delays(mut self, delays: &[std::time::Duration]) -> Self {
        if !delays.is_empty() {
            self.retry_delays = delays.to_vec();
        }
        self
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
    /// Queue of reviewers' decisions, bound to the review exchange with key `decision`.
    pub fn decisions_queue(&self) -> String {
        format!("{}.decisions", self.prefix)
    }
    /// Routing key of a reviewer's decision on the review exchange.
    pub const DECISION_KEY: &'static str = "decision";
    /// Where messages go that could not be processed after the delivery limit.
    pub fn parking_queue(&self) -> String {
        format!("{}.parking", self.prefix)
    }
    /// Exchange (fanout) and stream of the journal: one small entry per move of a document from
    /// queue to queue (see journal.rs), from which the console tells how long items have waited.
    pub fn journal_queue(&self) -> String {
        format!("{}.journal", self.prefix)
    }
    /// The queue a journal place names (`ocr`, `review.payslip`, `parking`...): `{prefix}.<place>`.
    pub fn place_queue(&self, place: &str) -> String {
        format!("{}.{}", self.prefix, place)
    }
    /// True if `exchange` is one of the retry delay tiers' exchanges.
    pub fn is_retry_exchange(&self, exchange: &str) -> bool {
        self.retry_delays.iter().any(|d| self.retry_queue(*d) == exchange)
    }
    /// Exchange (fanout) and queue (with a TTL) of one retry delay tier: `{prefix}.retry.<delay>`.
    /// A message published there with its stage's routing key comes back to that stage's queue
    /// when the delay has passed.
    pub fn retry_queue(&self, delay: std::time::Duration) -> String {
        format!("{}.retry.{}", self.prefix, delay_name(delay))
    }
    /// The delay before attempt `attempt + 1` after `attempt` failures (1-based): the tiers in
    /// order, then the longest again.
    pub fn retry_delay(&self, attempt: u32) -> std::time::Duration {
        let i = (attempt.max(1) as usize - 1).min(self.retry_delays.len().saturating_sub(1));
        self.retry_delays.get(i).copied().unwrap_or(std::time::Duration::from_secs(1))
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
        .into_iter()
        .chain(
            self.retry_delays.iter().map(|d| ExchangeSpec { name: self.retry_queue(*d), kind: ExchangeKind::Fanout }),
        )
        .chain([ExchangeSpec { name: self.journal_queue(), kind: ExchangeKind::Fanout }])
        .collect()
    }

    /// Every queue with its bindings. Review queues exist for the built-in types; a custom type's
    /// items go to the `other` queue unless `extra_types` names it.
    pub fn queues(&self, extra_types: &[DocumentType]) -> Vec<QueueSpec> {
        let mut q: Vec<QueueSpec> = Stage::ALL
            .iter()
            .map(|s| QueueSpec {
                kind: QueueKind::Quorum,
                name: self.stage_queue(*s),
                bindings: vec![(self.pipeline_exchange(), s.as_str().to_string())],
                dead_letter: Some(self.dead_letter_exchange()),
                delivery_limit: Some(self.delivery_limit),
                message_ttl_ms: None,
            })
            .collect();
        for t in DocumentType::BUILT_IN.iter().chain(extra_types) {
            q.push(QueueSpec {
                kind: QueueKind::Quorum,
                name: self.review_queue(t),
                bindings: vec![(self.review_exchange(), t.as_str().to_string())],
                dead_letter: Some(self.dead_letter_exchange()),
                delivery_limit: None,
                message_ttl_ms: None,
            });
        }
        for d in &self.retry_delays {
            q.push(QueueSpec {
                kind: QueueKind::Quorum,
                name: self.retry_queue(*d),
                bindings: vec![(self.retry_queue(*d), String::new())],
                dead_letter: Some(self.pipeline_exchange()),
                delivery_limit: None,
                message_ttl_ms: Some(d.as_millis() as u64),
            });
        }
        // Decisions are applied by a worker that may fail transiently, like a stage; the retry
        // path sends a failed message back through the pipeline exchange with its routing key,
        // hence the second binding.
        q.push(QueueSpec {
            kind: QueueKind::Quorum,
            name: self.decisions_queue(),
            bindings: vec![
                (self.review_exchange(), Self::DECISION_KEY.to_string()),
                (self.pipeline_exchange(), Self::DECISION_KEY.to_string()),
            ],
            dead_letter: Some(self.dead_letter_exchange()),
            delivery_limit: Some(self.delivery_limit),
            message_ttl_ms: None,
        });
        q.push(QueueSpec {
            kind: QueueKind::Quorum,
            name: self.parking_queue(),
            bindings: vec![(self.dead_letter_exchange(), String::new())],
            dead_letter: None,
            delivery_limit: None,
            message_ttl_ms: None,
        });
        q.push(QueueSpec {
            kind: QueueKind::Stream(self.journal.clone()),
            name: self.journal_queue(),
            bindings: vec![(self.journal_queue(), String::new())],
            dead_letter: None,
            delivery_limit: None,
            message_ttl_ms: None,
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
            assert_eq!(q.dead_letter.as_deref(), Some("tamis.dlx"));
            assert_eq!(q.delivery_limit, Some(5));
        }
        assert_eq!(qs.iter().filter(|q| q.name.starts_with("tamis.review.")).count(), 12);
        assert_eq!(qs.iter().find(|q| q.name == "tamis.parking").unwrap().dead_letter, None);
        let streams: Vec<&QueueSpec> = qs.iter().filter(|q| matches!(q.kind, QueueKind::Stream(_))).collect();
        assert_eq!(streams.len(), 1, "the journal is the only stream");
        assert_eq!(streams[0].name, "tamis.journal");
        assert_eq!(streams[0].bindings, vec![("tamis.journal".to_string(), String::new())]);
        assert!(t.exchanges().iter().any(|e| e.name == "tamis.journal" && e.kind == ExchangeKind::Fanout));
        assert_eq!(streams[0].kind, QueueKind::Stream(JournalRetention::default()));
    }

    #[test]
    fn delay_queues_wait_then_return_to_the_pipeline() {
        let t = Topology::new("tamis", 5);
        let qs = t.queues(&[]);
        let names: Vec<&str> = qs.iter().filter(|q| q.message_ttl_ms.is_some()).map(|q| q.name.as_str()).collect();
        assert_eq!(names, ["tamis.retry.1s", "tamis.retry.5s", "tamis.retry.30s"]);
        for q in qs.iter().filter(|q| q.message_ttl_ms.is_some()) {
            assert_eq!(q.dead_letter.as_deref(), Some("tamis.pipeline"), "{}", q.name);
            assert_eq!(q.bindings, vec![(q.name.clone(), String::new())]);
            assert!(t.exchanges().iter().any(|e| e.name == q.name && e.kind == ExchangeKind::Fanout));
        }
        let ms = |v| std::time::Duration::from_millis(v);
        assert_eq!(t.retry_delay(1), ms(1_000));
        assert_eq!(t.retry_delay(3), ms(30_000));
        assert_eq!(t.retry_delay(9), ms(30_000), "past the tiers, the longest delay again");
        let t = t.with_retry_delays(&[ms(200), ms(1_500), ms(120_000)]);
        assert_eq!(t.retry_queue(t.retry_delay(1)), "tamis.retry.200ms");
        assert_eq!(t.retry_queue(t.retry_delay(2)), "tamis.retry.1500ms");
        assert_eq!(t.retry_queue(t.retry_delay(3)), "tamis.retry.2m");
    }

    #[test]
    fn stages_chain_in_order() {
        assert_eq!(Stage::Ocr.next(), Some(Stage::Classify));
        assert_eq!(Stage::Route.next(), None);
        assert_eq!("extract".parse::<Stage>().unwrap(), Stage::Extract);
        assert!("ocr2".parse::<Stage>().is_err());
    }
}
