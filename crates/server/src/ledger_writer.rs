//! Group commit for ledger appends, in overlapping stages, each on a thread of its own.
//! The preparer takes every waiting append, checks the group's thread access in one go,
//! chains it (hashes only) onto the chain tips it keeps in memory and signs it on all
//! cores; the committer stores each prepared group in one transaction (one fsync), then
//! acknowledges each entry and announces it to this server's live listeners; the
//! announcer tells other servers (over PostgreSQL). While one group commits, the next is
//! being signed.
//!
//! The database refuses a group prepared from stale tips (each relationship's head moves
//! only from the sequence and hash the group was chained onto), so the in-memory tips
//! are a shortcut, never the truth: after any failure the preparer reads them again and
//! the committer stores the failed group's entries one by one, so one bad entry fails
//! alone.

use crate::keyring::KeyRing;
use crate::metrics::LedgerMetrics;
use crate::{Result, ServerError};
use serde_json::Value;
use slingshot_domain::ledger::{EntryKind, SigningKey};
use slingshot_store::{
    ChainTips, EntryRow, NewEntry, PreparedGroup, Store, StoreError, ThreadAccess, CHAIN_MOVED,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{broadcast, mpsc, oneshot, Semaphore};

/// A stored entry, announced to live listeners (server-sent events), on this server and,
/// over PostgreSQL, on the others.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct EntryEvent {
    /// The relationship.
    pub relationship_id: String,
    /// Its person.
    pub person_id: String,
    /// Its organization, if two-sided.
    pub org_id: Option<String>,
    /// The thread.
    pub thread_id: String,
    /// The new entry.
    pub entry_id: String,
    /// For private notes, the side that may see it.
    pub private_side: Option<String>,
}

/// An entry for a thread whose access is not checked yet: the writer checks a whole
/// group's access with two queries, instead of one per request.
#[derive(Debug, Clone)]
pub struct ThreadPost {
    /// The author's account.
    pub actor: String,
    /// The thread.
    pub thread_id: String,
    /// What it is.
    pub kind: EntryKind,
    /// The body (its digest is hashed and signed).
    pub body: Value,
    /// Plain text for search.
    pub search_text: String,
    /// De-duplication reference (e.g. an Idempotency-Key).
    pub source_ref: Option<String>,
    /// For corrections: the corrected entry.
    pub corrects: Option<slingshot_store::CorrectionTarget>,
    /// Microseconds since the epoch.
    pub at_us: i64,
}

impl ThreadPost {
    fn into_entry(self, a: ThreadAccess) -> NewEntry {
        NewEntry {
            relationship_id: a.relationship_id,
            person_id: a.person_id,
            org_id: a.org_id,
            thread_id: a.thread_id,
            side: a.side,
            author_id: self.actor,
            kind: self.kind,
            body: self.body,
            search_text: self.search_text,
            source_ref: self.source_ref,
            corrects: self.corrects,
            at_us: self.at_us,
            attachment: None,
        }
    }
}

enum Append {
    /// Access already checked by the caller.
    Checked(NewEntry),
    /// Access checked by the writer, with its group.
    Post(ThreadPost),
}

struct Job {
    append: Append,
    reply: oneshot::Sender<Result<EntryRow>>,
}

struct ReadyJob {
    entry: NewEntry,
    reply: oneshot::Sender<Result<EntryRow>>,
}

/// The handle handlers append through.
#[derive(Clone)]
pub struct LedgerWriter {
    tx: mpsc::Sender<Job>,
    /// Set when the chain moved outside the writer: the preparer reads its tips again.
    stale: Arc<AtomicBool>,
    events: broadcast::Sender<EntryEvent>,
    announced: mpsc::UnboundedSender<Vec<EntryEvent>>,
}

/// A prepared group on its way to the committer.
struct Prepared {
    group: PreparedGroup,
    replies: Vec<oneshot::Sender<Result<EntryRow>>>,
    signing: HashMap<String, SigningKey>,
}

/// Chain tips held in memory past this many relationships are dropped and read again.
const MAX_TIPS: usize = 100_000;

impl LedgerWriter {
    /// Start the writer's two tasks.
    pub fn spawn(
        store: Store,
        keys: Arc<KeyRing>,
        events: broadcast::Sender<EntryEvent>,
        max_group: usize,
        origin: String,
        metrics: LedgerMetrics,
    ) -> Self {
        let (tx, rx) = mpsc::channel(8192);
        // A group goes to the committer only once it is idle (it holds the one permit
        // while it commits), so the next group grows for as long as the last one commits.
        let (ptx, prx) = mpsc::channel(1);
        let idle = Arc::new(Semaphore::new(1));
        let stale = Arc::new(AtomicBool::new(false));
        on_own_thread(
            "ledger-prepare",
            prepare(
                rx,
                store.clone(),
                keys,
                max_group.max(1),
                Handoff {
                    out: ptx,
                    idle: idle.clone(),
                },
                stale.clone(),
            ),
        );
        let (dtx, drx) = mpsc::unbounded_channel();
        let writer = Self {
            tx,
            stale: stale.clone(),
            events: events.clone(),
            announced: dtx.clone(),
        };
        on_own_thread(
            "ledger-commit",
            commit(
                prx,
                store.clone(),
                Acks { events, done: dtx },
                stale,
                idle,
                metrics,
            ),
        );
        on_own_thread("ledger-announce", publish(drx, store, origin));
        writer
    }

    /// Entries were stored outside the writer (a mail import, in one transaction of its
    /// own): read the chain tips again before the next group, and announce the entries
    /// to live listeners here and on the other servers.
    pub fn stored_elsewhere(&self, stored: &[(NewEntry, EntryRow)]) {
        self.stale.store(true, Ordering::Release);
        let events = stored
            .iter()
            .map(|(e, row)| announce(&self.events, e, row))
            .collect();
        let _ = self.announced.send(events);
    }

    /// Append one entry whose access the caller checked; resolves once it is durable.
    pub async fn append(&self, entry: NewEntry) -> Result<EntryRow> {
        self.submit(Append::Checked(entry)).await
    }

    /// Append an entry to a thread if its author may write there (else 404 `not_found`);
    /// resolves once it is durable.
    pub async fn post(&self, post: ThreadPost) -> Result<EntryRow> {
        self.submit(Append::Post(post)).await
    }

    async fn submit(&self, append: Append) -> Result<EntryRow> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Job { append, reply })
            .await
            .map_err(|_| ServerError::Internal("ledger writer stopped".into()))?;
        rx.await
            .map_err(|_| ServerError::Internal("ledger writer dropped an append".into()))?
    }
}

/// Run a writer stage on a thread of its own, so its many short database round trips
/// never wait in line behind the request handlers' tasks. It ends when its input closes.
fn on_own_thread(name: &str, stage: impl std::future::Future<Output = ()> + Send + 'static) {
    let started = std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt.block_on(stage),
                Err(e) => tracing::error!(error = %e, "the ledger writer could not start"),
            }
        });
    if let Err(e) = started {
        // Appends then fail with "ledger writer stopped".
        tracing::error!(error = %e, "the ledger writer could not start");
    }
}

/// The preparer: take waiting appends, check their access, sign them onto the tips in
/// memory. While the committer is busy the group keeps growing with what arrives; it is
/// handed over as soon as the committer can take it.
async fn prepare(
    mut rx: mpsc::Receiver<Job>,
    store: Store,
    keys: Arc<KeyRing>,
    max_group: usize,
    out: Handoff,
    stale: Arc<AtomicBool>,
) {
    let mut tips = ChainTips::new();
    let mut pending: Option<Prepared> = None;
    loop {
        let first = match pending.take() {
            Some(p) if p.group.len() >= max_group => {
                if out.send(p).await.is_err() {
                    return;
                }
                continue;
            }
            Some(p) => {
                tokio::select! {
                    biased;
                    permit = out.idle.acquire() => {
                        let Ok(permit) = permit else { return };
                        permit.forget();
                        if out.out.send(p).await.is_err() {
                            return;
                        }
                        continue;
                    }
                    job = rx.recv() => {
                        pending = Some(p);
                        job
                    }
                }
            }
            None => rx.recv().await,
        };
        let Some(first) = first else {
            if let Some(p) = pending {
                let _ = out.send(p).await;
            }
            return;
        };
        let room = max_group.saturating_sub(pending.as_ref().map_or(0, |p| p.group.len()));
        let mut jobs = vec![first];
        while jobs.len() < room {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        if stale.swap(false, Ordering::AcqRel) || tips.len() > MAX_TIPS {
            tips.clear();
        }
        let p = pending.get_or_insert_with(|| Prepared {
            group: PreparedGroup::default(),
            replies: Vec::new(),
            signing: HashMap::new(),
        });
        let ready = check_access(jobs, &store).await;
        let ready = signing_keys(ready, &store, &keys, &mut p.signing).await;
        let ready = with_tips(ready, &store, &mut tips).await;
        // Chain the batch one entry after another (hashes only), then sign it on all cores.
        for ReadyJob { entry, reply } in ready {
            match p.group.push_unsigned(entry, &p.signing, &mut tips) {
                Ok(()) => p.replies.push(reply),
                Err(e) => {
                    let _ = reply.send(Err(e.into()));
                }
            }
        }
        if let Err(e) = p.group.sign_pending(&p.signing) {
            tracing::error!(error = %e, "signing a group failed");
            for reply in p.replies.drain(..) {
                let _ = reply.send(Err(ServerError::Internal("could not sign".into())));
            }
            p.group = PreparedGroup::default();
            tips.clear();
        }
        if p.group.is_empty() {
            pending = None;
        }
    }
}

/// The way to the committer: a group is sent only with the committer's idle permit,
/// which it gives back after each commit.
struct Handoff {
    out: mpsc::Sender<Prepared>,
    idle: Arc<Semaphore>,
}

impl Handoff {
    /// Wait until the committer is idle, then hand it `p`; `Err` once it has stopped.
    async fn send(&self, p: Prepared) -> std::result::Result<(), ()> {
        self.idle.acquire().await.map_err(|_| ())?.forget();
        self.out.send(p).await.map_err(|_| ())
    }
}

/// Add the group's signers' keys to `signing`; entries whose key cannot be had are refused.
async fn signing_keys(
    jobs: Vec<ReadyJob>,
    store: &Store,
    keys: &KeyRing,
    signing: &mut HashMap<String, SigningKey>,
) -> Vec<ReadyJob> {
    let mut ready = Vec::with_capacity(jobs.len());
    for job in jobs {
        if let std::collections::hash_map::Entry::Vacant(slot) = signing.entry(job.entry.signer()) {
            match keys.key_for(store, slot.key()).await {
                Ok(k) => {
                    slot.insert(k);
                }
                Err(e) => {
                    let _ = job.reply.send(Err(e));
                    continue;
                }
            }
        }
        ready.push(job);
    }
    ready
}

/// Read the tips of relationships not held in memory yet.
async fn with_tips(jobs: Vec<ReadyJob>, store: &Store, tips: &mut ChainTips) -> Vec<ReadyJob> {
    let mut missing: Vec<&str> = jobs
        .iter()
        .map(|j| j.entry.relationship_id.as_str())
        .filter(|r| !tips.contains_key(*r))
        .collect();
    if missing.is_empty() {
        return jobs;
    }
    missing.sort_unstable();
    missing.dedup();
    match store.chain_tips(&missing).await {
        Ok(read) => {
            tips.extend(read);
            jobs
        }
        Err(e) => {
            log_failure(store, &e, "reading chain tips failed");
            for job in jobs {
                let _ = job.reply.send(Err(ServerError::Internal(
                    "could not read the chain".into(),
                )));
            }
            Vec::new()
        }
    }
}

/// Log a failed read: an error, unless the server is shutting down (appends whose
/// clients already left can still be waiting when the store closes).
fn log_failure(store: &Store, e: &StoreError, what: &str) {
    if store.is_closed() {
        tracing::debug!(error = %e, "{what} (the store is closed)");
    } else {
        tracing::error!(error = %e, "{what}");
    }
}

/// Where the committer's acknowledgements go: this server's live listeners, and the
/// announcer (other servers).
struct Acks {
    events: broadcast::Sender<EntryEvent>,
    done: mpsc::UnboundedSender<Vec<EntryEvent>>,
}

/// What the committer acknowledges: a stored group, or the entries of a failed group
/// with each one's own outcome.
enum Done {
    Stored {
        group: PreparedGroup,
        replies: Vec<oneshot::Sender<Result<EntryRow>>>,
        rows: Vec<EntryRow>,
    },
    OneByOne(
        Vec<(
            NewEntry,
            oneshot::Sender<Result<EntryRow>>,
            Result<EntryRow>,
        )>,
    ),
}

/// The committer: store each prepared group and acknowledge its entries (a reply is a
/// wake-up of the request's task, so acknowledging here spares each reply a hop through
/// another thread); announcing them to other servers is left to the announcer.
async fn commit(
    mut rx: mpsc::Receiver<Prepared>,
    store: Store,
    Acks { events, done }: Acks,
    stale: Arc<AtomicBool>,
    idle: Arc<Semaphore>,
    metrics: LedgerMetrics,
) {
    let mut announcer_gone = false;
    while let Some(Prepared {
        group,
        replies,
        signing,
    }) = rx.recv().await
    {
        let started = Instant::now();
        let stored = store.store_prepared(&group).await;
        if stored.is_ok() {
            metrics
                .commit_seconds
                .observe(started.elapsed().as_secs_f64());
            metrics.group_entries.observe(group.len() as f64);
        }
        let finished = match stored {
            Ok(rows) => Done::Stored {
                group,
                replies,
                rows,
            },
            Err(e) => {
                // The next group was chained onto this one's tips: read them again.
                stale.store(true, Ordering::Release);
                tracing::debug!(error = %e, "a group failed; storing its entries one by one");
                let mut outcomes = Vec::with_capacity(replies.len());
                for (entry, reply) in group.into_entries().into_iter().zip(replies) {
                    let r = append_alone(&store, &entry, &signing).await;
                    outcomes.push((entry, reply, r));
                }
                Done::OneByOne(outcomes)
            }
        };
        idle.add_permits(1);
        let stored = acknowledge(finished, &events);
        if done.send(stored).is_err() && !announcer_gone {
            // Appends go on; only other servers' live listeners miss them.
            tracing::error!(
                "the ledger's announcer stopped: other servers are not told of new entries"
            );
            announcer_gone = true;
        }
    }
    idle.close();
}

/// Answer each append of a committed group, in commit order, and announce each stored
/// entry to this server's live listeners; the stored entries' events.
fn acknowledge(done: Done, events: &broadcast::Sender<EntryEvent>) -> Vec<EntryEvent> {
    let mut stored = Vec::new();
    match done {
        Done::Stored {
            group,
            replies,
            rows,
        } => {
            stored.reserve(rows.len());
            for ((entry, reply), row) in group.entries().zip(replies).zip(rows) {
                stored.push(announce(events, entry, &row));
                let _ = reply.send(Ok(row));
            }
        }
        Done::OneByOne(outcomes) => {
            for (entry, reply, r) in outcomes {
                if let Ok(row) = &r {
                    stored.push(announce(events, &entry, row));
                }
                let _ = reply.send(r);
            }
        }
    }
    stored
}

/// The announcer: tell the other servers (over PostgreSQL) of each stored entry.
async fn publish(mut rx: mpsc::UnboundedReceiver<Vec<EntryEvent>>, store: Store, origin: String) {
    while let Some(stored) = rx.recv().await {
        crate::live::publish(&store, &origin, stored).await;
    }
}

/// Store one entry on the chain as the database holds it (a few tries if another
/// server moves the chain meanwhile).
async fn append_alone(
    store: &Store,
    entry: &NewEntry,
    signing: &HashMap<String, SigningKey>,
) -> Result<EntryRow> {
    let mut tries = 0;
    loop {
        tries += 1;
        match store
            .append_entries(std::slice::from_ref(entry), signing)
            .await
        {
            Ok(mut rows) => {
                return rows
                    .pop()
                    .ok_or_else(|| ServerError::Internal("no row".into()))
            }
            Err(StoreError::Conflict(m)) if m == CHAIN_MOVED && tries < 3 => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// Check the posts' access for the whole group at once; refused ones are answered here.
async fn check_access(jobs: Vec<Job>, store: &Store) -> Vec<ReadyJob> {
    let asks: Vec<(&str, &str)> = jobs
        .iter()
        .filter_map(|j| match &j.append {
            Append::Post(p) => Some((p.actor.as_str(), p.thread_id.as_str())),
            Append::Checked(_) => None,
        })
        .collect();
    let access = if asks.is_empty() {
        Ok(Vec::new())
    } else {
        store.thread_access_many(&asks).await
    };
    let mut access = match access {
        Ok(a) => Some(a.into_iter()),
        Err(e) => {
            log_failure(store, &e, "checking a group's thread access failed");
            None
        }
    };
    let mut ready = Vec::with_capacity(jobs.len());
    for Job { append, reply } in jobs {
        match append {
            Append::Checked(entry) => ready.push(ReadyJob { entry, reply }),
            Append::Post(post) => match access.as_mut().map(|a| a.next().flatten()) {
                Some(Some(a)) => ready.push(ReadyJob {
                    entry: post.into_entry(a),
                    reply,
                }),
                Some(None) => {
                    let _ = reply.send(Err(StoreError::NotFound.into()));
                }
                None => {
                    let _ = reply.send(Err(ServerError::Internal(
                        "could not check thread access".into(),
                    )));
                }
            },
        }
    }
    ready
}

fn announce(events: &broadcast::Sender<EntryEvent>, e: &NewEntry, row: &EntryRow) -> EntryEvent {
    let ev = EntryEvent {
        relationship_id: e.relationship_id.clone(),
        person_id: e.person_id.clone(),
        org_id: e.org_id.clone(),
        thread_id: e.thread_id.clone(),
        entry_id: row.id.clone(),
        private_side: row.private_side.clone(),
    };
    let _ = events.send(ev.clone());
    ev
}
