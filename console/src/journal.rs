//! How long items have waited, from the journal stream (`{prefix}.journal`, see
//! tamis_shared::journal): the console reads it from the start of its retention, keeps for every
//! document not yet finished where it waits and since when, and from that tells the age of the
//! oldest waiting item of every queue.
//!
//! Order is the stream's: every entry is confirmed before the message it describes is published,
//! so a document's next entry always comes after it in the stream, whatever the publishers'
//! clocks say. Times only measure waits (a clock skew between hosts shifts ages by as much).

use futures::StreamExt;
use lapin::options::{BasicAckOptions, BasicCancelOptions, BasicConsumeOptions};
use lapin::types::{AMQPValue, FieldTable};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tamis_shared::broker::Broker;
use tamis_shared::journal::{Entry, Place, JOURNAL_TYPE, MARK_TYPE};
use tamis_shared::retry::Backoff;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// What the console knows of the journal right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JournalState {
    /// Reading what was written before the console started: ages are not known yet.
    Replaying,
    /// Up to date: every entry written before the console's mark has been read.
    Live,
    /// The stream cannot be read (broker trouble); the console keeps trying.
    Unavailable,
}

/// The age of the oldest waiting item of one queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Age {
    /// Nothing waits (or the depth is not known).
    Empty,
    /// The oldest waiting item has waited this many milliseconds.
    Known(u64),
    /// Items wait that the journal has no entry for (they entered before the journal existed or
    /// longer ago than its retention, or were forgotten past the cap), or the journal is not
    /// read up to date: no number rather than a wrong one.
    Unknown,
}

#[derive(Clone, Copy, Debug)]
struct Waiting {
    /// Index into `Ages::places`.
    place: u16,
    /// Milliseconds since the epoch: when it entered that place.
    since: i64,
}

/// Most distinct places kept (queues Tamis declares are far fewer); entries naming others are
/// counted and skipped, so a stray writer cannot grow the table.
const MAX_PLACES: usize = 1_000;

/// Where every unfinished document waits and since when. Memory: one small record per waiting
/// document, at most `cap`; finished documents are dropped at once.
pub struct Ages {
    places: Vec<String>,
    place_ids: HashMap<String, u16>,
    waiting: HashMap<Uuid, Waiting>,
    cap: usize,
    state: JournalState,
    /// Entries read, unreadable entries skipped, documents forgotten past the cap.
    read: u64,
    skipped: u64,
    forgotten: u64,
}

/// The figures the dashboard shows about the journal itself.
#[derive(Clone, Debug, Serialize)]
pub struct JournalStatus {
    pub state: JournalState,
    /// Documents not finished, by the journal.
    pub documents: usize,
    /// Entries read since the console started.
    pub entries: u64,
    /// Entries that could not be read (skipped).
    pub skipped: u64,
    /// Documents forgotten because more than the cap were waiting.
    pub forgotten: u64,
}

impl Ages {
    /// Empty bookkeeping following at most `cap` documents, replaying.
    pub fn new(cap: usize) -> Ages {
        Ages {
            places: Vec::new(),
            place_ids: HashMap::new(),
            waiting: HashMap::new(),
            cap: cap.max(1),
            state: JournalState::Replaying,
            read: 0,
            skipped: 0,
            forgotten: 0,
        }
    }

    /// Applies the next entry of the stream. A document put again where it already waits (a
    /// redelivered input published again, an item put back by a reviewer, a retry that returns
    /// to its stage) keeps its first time there; a move elsewhere starts a new wait; an outcome
    /// ends it.
    pub fn apply(&mut self, e: &Entry) {
        self.read += 1;
        let id = e.document_id.0;
        let queue = match &e.place {
            Place::Outcome(_) => {
                self.waiting.remove(&id);
                return;
            }
            Place::Queue(q) => q,
        };
        let Some(place) = self.place_id(queue) else {
            self.skipped += 1;
            return;
        };
        let at = e.at_ms();
        match self.waiting.get_mut(&id) {
            Some(w) if w.place == place => w.since = w.since.min(at),
            _ => {
                self.waiting.insert(id, Waiting { place, since: at });
            }
        }
        if self.waiting.len() > self.cap {
            self.forget_oldest();
        }
    }

    /// Counts an entry that could not be read.
    pub fn skip(&mut self) {
        self.skipped += 1;
    }

    fn place_id(&mut self, place: &str) -> Option<u16> {
        if let Some(id) = self.place_ids.get(place) {
            return Some(*id);
        }
        if self.places.len() >= MAX_PLACES {
            return None;
        }
        let id = self.places.len() as u16;
        self.places.push(place.to_string());
        self.place_ids.insert(place.to_string(), id);
        Some(id)
    }

    /// Over the cap: forgets the tenth of documents that have waited longest (most likely those
    /// whose end the journal cannot see, such as messages the broker dead-lettered itself). Their
    /// queues then show an unknown age rather than a wrong one. By tenths, so that the sort is
    /// paid once per many entries.
    fn forget_oldest(&mut self) {
        let mut sinces: Vec<i64> = self.waiting.values().map(|w| w.since).collect();
        let n = (self.waiting.len() / 10).max(1);
        let (_, cut, _) = sinces.select_nth_unstable(n - 1);
        let cut = *cut;
        let before = self.waiting.len();
        let mut left = n;
        self.waiting.retain(|_, w| {
            if w.since <= cut && left > 0 {
                left -= 1;
                false
            } else {
                true
            }
        });
        self.forgotten += (before - self.waiting.len()) as u64;
    }

    /// The journal's state (replaying, live, unavailable).
    pub fn state(&self) -> JournalState {
        self.state
    }

    /// Sets the journal's state.
    pub fn set_state(&mut self, s: JournalState) {
        self.state = s;
    }

    /// The figures about the journal.
    pub fn status(&self) -> JournalStatus {
        JournalStatus {
            state: self.state,
            documents: self.waiting.len(),
            entries: self.read,
            skipped: self.skipped,
            forgotten: self.forgotten,
        }
    }

    /// Since when each document waiting in each place has waited, oldest first, by place name.
    pub fn by_place(&self) -> HashMap<String, Vec<i64>> {
        let mut out: HashMap<String, Vec<i64>> = HashMap::new();
        for w in self.waiting.values() {
            out.entry(self.places[w.place as usize].clone()).or_default().push(w.since);
        }
        out.values_mut().for_each(|v| v.sort_unstable());
        out
    }

    /// The age of the oldest of the `waiting` items of `place` at `now_ms`, given `sinces`
    /// (`by_place`'s list for it).
    ///
    /// `waiting` is what the broker says waits there (ready messages, plus items reviewers hold).
    /// The journal may know more documents in a queue than wait there: those a worker is
    /// processing, and those that left without an entry (the broker dead-lettered them at their
    /// delivery limit, an operator purged the queue). Queues serve oldest first, so those are
    /// taken to be the oldest: the age is that of the `waiting`-th most recent entry. It knows
    /// fewer than wait: some entered unseen, the age is unknown.
    pub fn oldest(&self, sinces: Option<&Vec<i64>>, waiting: u32, now_ms: i64) -> Age {
        if waiting == 0 {
            return Age::Empty;
        }
        if self.state != JournalState::Live {
            return Age::Unknown;
        }
        let sinces = sinces.map(Vec::as_slice).unwrap_or(&[]);
        let n = waiting as usize;
        if sinces.len() < n {
            return Age::Unknown;
        }
        Age::Known(now_ms.saturating_sub(sinces[sinces.len() - n]).max(0) as u64)
    }
}

/// Unacknowledged journal deliveries the console takes at once (streams need a prefetch and
/// manual acknowledgements; the ack only gives credit back).
const PREFETCH: u16 = 1_000;
/// Acknowledge every this many deliveries (with `multiple`), not each one.
const ACK_EVERY: u64 = 100;

/// Reads the journal into `ages` until `cancel`, from the start of its retention, then live;
/// after a lost channel, from the entry after the last one read.
pub async fn follow(broker: Broker, ages: Arc<Mutex<Ages>>, cancel: CancellationToken) {
    let mut next: Option<i64> = None;
    let mut backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(10));
    loop {
        let began = std::time::Instant::now();
        match follow_once(&broker, &ages, &mut next, &cancel).await {
            Ok(()) => return,
            Err(e) => {
                lock(&ages).set_state(JournalState::Unavailable);
                if began.elapsed() > Duration::from_secs(30) {
                    backoff.reset();
                }
                let wait = backoff.next_delay();
                tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "journal not readable; queue ages unknown until it is");
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(wait) => {}
                }
            }
        }
    }
}

fn lock(ages: &Mutex<Ages>) -> std::sync::MutexGuard<'_, Ages> {
    ages.lock().unwrap_or_else(|e| e.into_inner())
}

/// Why the journal could not be read this time.
#[derive(Debug, thiserror::Error)]
enum FollowError {
    #[error(transparent)]
    Broker(#[from] tamis_shared::broker::BrokerError),
    #[error("broker operation {op} on the journal failed: {source}")]
    Amqp { op: &'static str, source: lapin::Error },
    #[error("the journal consumer was stopped by the broker")]
    Lost,
}

async fn follow_once(
    broker: &Broker,
    ages: &Mutex<Ages>,
    next: &mut Option<i64>,
    cancel: &CancellationToken,
) -> Result<(), FollowError> {
    let amqp = |op| move |source| FollowError::Amqp { op, source };
    let topology = broker.topology().clone();
    let ch = broker.consumer_channel(PREFETCH).await?;
    let mut args = FieldTable::default();
    let offset = match *next {
        Some(o) => AMQPValue::LongLongInt(o),
        None => AMQPValue::LongString("first".into()),
    };
    args.insert("x-stream-offset".into(), offset);
    let tag = format!("console-journal-{}", Uuid::new_v4());
    let queue = topology.journal_queue();
    let mut consumer = ch
        .basic_consume(queue.as_str().into(), tag.as_str().into(), BasicConsumeOptions::default(), args)
        .await
        .map_err(amqp("basic.consume journal"))?;
    // The mark goes after everything written so far: once it is read, so is all of that.
    let mark = Uuid::new_v4();
    lock(ages).set_state(JournalState::Replaying);
    broker.publish(&tamis_shared::journal::mark_message(&topology, &mark)).await?;
    let mark = mark.to_string();
    let mut unacked = 0u64;
    loop {
        let d = tokio::select! {
            _ = cancel.cancelled() => {
                let _ = ch.basic_cancel(tag.as_str().into(), BasicCancelOptions::default()).await;
                let _ = ch.close(200, "console stopping".into()).await;
                return Ok(());
            }
            d = consumer.next() => d,
        };
        let d = match d {
            Some(Ok(d)) => d,
            Some(Err(source)) => return Err(FollowError::Amqp { op: "journal delivery", source }),
            None => return Err(FollowError::Lost),
        };
        if let Some(AMQPValue::LongLongInt(o)) =
            d.properties.headers().as_ref().and_then(|h| h.inner().get("x-stream-offset"))
        {
            *next = Some(o + 1);
        }
        let kind = d.properties.kind().as_ref().map(|k| k.as_str().to_string()).unwrap_or_default();
        {
            let mut a = lock(ages);
            if kind == MARK_TYPE {
                if d.properties.message_id().as_ref().is_some_and(|m| m.as_str() == mark) {
                    a.set_state(JournalState::Live);
                    tracing::info!(
                        documents = a.status().documents,
                        entries = a.status().entries,
                        "journal read up to date; queue ages live"
                    );
                }
            } else {
                match tamis_shared::error::parse_message::<Entry>(&d.data) {
                    Ok(e) if kind == JOURNAL_TYPE || kind.is_empty() => a.apply(&e),
                    Ok(_) => a.skip(),
                    Err(e) => {
                        // Category and JSON path only: an entry that is not one may hold anything.
                        tracing::debug!(error = %e, "journal message that is not an entry skipped");
                        a.skip()
                    }
                }
            }
        }
        unacked += 1;
        if unacked >= ACK_EVERY {
            d.acker.ack(BasicAckOptions { multiple: true }).await.map_err(amqp("basic.ack journal"))?;
            unacked = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tamis_shared::journal::Finish;
    use tamis_shared::DocumentId;

    const T0: i64 = 1_741_944_000_000;

    fn doc(n: u128) -> DocumentId {
        DocumentId(Uuid::from_u128(n))
    }

    fn at(ms: i64) -> time::OffsetDateTime {
        time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000).unwrap()
    }

    fn queue(d: u128, q: &str, ms: i64) -> Entry {
        Entry { document_id: doc(d), place: Place::Queue(q.into()), at: at(T0 + ms) }
    }

    fn done(d: u128, f: Finish, ms: i64) -> Entry {
        Entry { document_id: doc(d), place: Place::Outcome(f), at: at(T0 + ms) }
    }

    fn live(entries: &[Entry]) -> Ages {
        let mut a = Ages::new(1_000);
        entries.iter().for_each(|e| a.apply(e));
        a.set_state(JournalState::Live);
        a
    }

    fn age(a: &Ages, place: &str, waiting: u32, now: i64) -> Age {
        a.oldest(a.by_place().get(place), waiting, T0 + now)
    }

    #[test]
    fn a_document_waits_where_its_last_entry_put_it_until_its_outcome() {
        let a = live(&[
            queue(1, "ocr", 0),
            queue(1, "classify", 1_000),
            queue(2, "ocr", 1_500),
            queue(1, "extract", 2_000),
            queue(1, "route", 3_000),
            queue(1, "review.payslip", 4_000),
        ]);
        assert_eq!(
            age(&a, "review.payslip", 1, 10_000),
            Age::Known(6_000),
            "since it entered review, not since submission"
        );
        assert_eq!(age(&a, "ocr", 1, 10_000), Age::Known(8_500), "document 1 left ocr");
        assert_eq!(age(&a, "classify", 0, 10_000), Age::Empty);
        assert_eq!(age(&a, "decisions", 0, 10_000), Age::Empty);
        let mut a = a;
        a.apply(&queue(1, "decisions", 20_000));
        assert_eq!(age(&a, "review.payslip", 0, 21_000), Age::Empty);
        assert_eq!(age(&a, "decisions", 1, 21_000), Age::Known(1_000));
        a.apply(&done(1, Finish::Reviewed, 22_000));
        a.apply(&done(2, Finish::Accepted, 23_000));
        assert_eq!(a.status().documents, 0, "finished documents are dropped");
        assert_eq!(a.by_place().len(), 0);
    }

    #[test]
    fn the_oldest_of_several_and_of_those_still_waiting() {
        let a = live(&[
            queue(1, "review.passport", 0),
            queue(2, "review.passport", 5_000),
            queue(3, "review.passport", 7_000),
        ]);
        assert_eq!(age(&a, "review.passport", 3, 10_000), Age::Known(10_000));
        // Two wait but the journal knows three: one left unseen (dead-lettered by the broker,
        // purged) or is being processed; queues serve the oldest first, so it is the oldest.
        assert_eq!(age(&a, "review.passport", 2, 10_000), Age::Known(5_000));
        // Four wait, the journal knows three: one entered unseen. No number.
        assert_eq!(age(&a, "review.passport", 4, 10_000), Age::Unknown);
        assert_eq!(age(&a, "review.tax_notice", 1, 10_000), Age::Unknown, "an item the journal never saw");
    }

    #[test]
    fn redeliveries_and_put_backs_keep_the_first_time_there() {
        let a = live(&[
            queue(1, "classify", 1_000),
            // The OCR worker lost its connection before acking and published again.
            queue(1, "classify", 3_000),
            // A transient failure: through a delay tier, back to classify.
            queue(1, "classify", 5_000),
            queue(2, "review.rib", 2_000),
            // A reviewer put the item back (republished at the end of its queue).
            queue(2, "review.rib", 9_000),
        ]);
        assert_eq!(age(&a, "classify", 1, 10_000), Age::Known(9_000));
        assert_eq!(age(&a, "review.rib", 1, 10_000), Age::Known(8_000));
        // A move elsewhere starts a new wait; coming back later is a new wait too.
        let mut a = a;
        a.apply(&queue(1, "parking", 11_000));
        a.apply(&queue(1, "classify", 15_000));
        assert_eq!(age(&a, "classify", 1, 16_000), Age::Known(1_000));
        assert_eq!(age(&a, "parking", 0, 16_000), Age::Empty);
    }

    #[test]
    fn stream_order_wins_over_the_publishers_clocks() {
        // The extract worker's clock is 300 ms behind the classify worker's: its entry, later in
        // the stream, carries an earlier time. The document is in extract all the same.
        let a = live(&[queue(1, "classify", 1_000), queue(1, "extract", 700)]);
        assert_eq!(age(&a, "extract", 1, 2_000), Age::Known(1_300));
        assert_eq!(age(&a, "classify", 0, 2_000), Age::Empty);
        // A redelivery stamped earlier than the first entry at the same place (another host's
        // clock) moves the start back: the earliest time there counts.
        let a = live(&[queue(2, "route", 5_000), queue(2, "route", 4_000)]);
        assert_eq!(age(&a, "route", 1, 6_000), Age::Known(2_000));
        // A clock ahead of the console's never gives a negative age.
        let a = live(&[queue(3, "ocr", 9_000)]);
        assert_eq!(age(&a, "ocr", 1, 8_000), Age::Known(0));
        // After its outcome, a stale copy put back in a queue (an input redelivered after its
        // outputs were confirmed) is a real message waiting again, and is followed again.
        let a = live(&[queue(4, "route", 0), done(4, Finish::Accepted, 1_000), queue(4, "route", 2_000)]);
        assert_eq!(age(&a, "route", 1, 3_000), Age::Known(1_000));
    }

    #[test]
    fn no_age_before_the_journal_is_read_up_to_date() {
        let mut a = Ages::new(1_000);
        a.apply(&queue(1, "ocr", 0));
        assert_eq!(age(&a, "ocr", 1, 1_000), Age::Unknown, "replaying");
        assert_eq!(age(&a, "ocr", 0, 1_000), Age::Empty, "nothing waits: no age, whatever the journal");
        a.set_state(JournalState::Unavailable);
        assert_eq!(age(&a, "ocr", 1, 1_000), Age::Unknown);
        a.set_state(JournalState::Live);
        assert_eq!(age(&a, "ocr", 1, 1_000), Age::Known(1_000));
    }

    #[test]
    fn memory_is_bounded_by_forgetting_the_longest_waiting() {
        let mut a = Ages::new(50);
        for i in 0..200u128 {
            a.apply(&queue(i, "review.other", i as i64));
        }
        a.set_state(JournalState::Live);
        let s = a.status();
        assert!(s.documents <= 50 && s.documents >= 40, "{s:?}");
        assert_eq!(s.forgotten as usize + s.documents, 200);
        // The newest are kept; a queue holding more than the journal remembers shows unknown.
        let kept = a.by_place()["review.other"].clone();
        assert_eq!(*kept.last().unwrap(), T0 + 199);
        assert_eq!(age(&a, "review.other", 200, 1_000), Age::Unknown);
        assert_eq!(age(&a, "review.other", 1, 1_000), Age::Known(801));
        // Places are bounded too.
        let mut a = Ages::new(10);
        for i in 0..(MAX_PLACES as u128 + 5) {
            a.apply(&queue(1, &format!("q{i}"), 0));
        }
        assert_eq!(a.status().skipped, 5);
    }
}
