//! Writers on SQLite take turns in the order they arrive. SQLite lets one connection
//! write at a time and makes the others poll (sleeping up to 100 ms between tries), so
//! under a steady stream of ledger groups — the committer takes the lock again right
//! after each commit — a pooled write such as an erasure could wait for seconds. Every
//! writer of this process first queues here (a FIFO lock), then takes SQLite's lock,
//! which is then free or about to be.

use crate::{Result, StoreError};
use sqlx::{Any, AnyConnection, Transaction};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// How long a writer waits for its turn before giving up, as long as SQLite's own
/// `busy_timeout` on these connections.
const WAIT: Duration = Duration::from_secs(10);

/// The queue SQLite writers of one store wait in (cloned with the store).
#[derive(Debug, Clone, Default)]
pub(crate) struct WriteTurns(Arc<Mutex<()>>);

/// A writer's turn; the next writer's starts when it is dropped.
#[derive(Debug)]
pub(crate) struct Turn {
    _guard: OwnedMutexGuard<()>,
}

impl WriteTurns {
    /// Wait for this writer's turn ([`StoreError::Busy`] after [`WAIT`]).
    pub(crate) async fn take(&self) -> Result<Turn> {
        tokio::time::timeout(WAIT, self.0.clone().lock_owned())
            .await
            .map(|guard| Turn { _guard: guard })
            .map_err(|_| StoreError::Busy)
    }
}

/// A transaction that writes, holding its writer's turn (on SQLite) until it commits or
/// is dropped (which rolls it back). It derefs to the connection, as `sqlx::Transaction`
/// does: `&mut *tx` is an executor.
#[derive(Debug)]
pub(crate) struct WriteTx {
    tx: Transaction<'static, Any>,
    _turn: Option<Turn>,
}

impl WriteTx {
    pub(crate) fn new(tx: Transaction<'static, Any>, turn: Option<Turn>) -> Self {
        Self { tx, _turn: turn }
    }

    /// Commit, then let the next writer go.
    pub(crate) async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_chain::{plain_user, Chain};
    use crate::testing::TestDb;
    use std::sync::Mutex as StdMutex;

    /// Long enough for a spawned task to reach the queue (it does nothing else first).
    const SETTLE: Duration = Duration::from_millis(200);

    /// While one writer holds its turn, neither a ledger group nor a pooled write gets
    /// to the database; when it is done they go in the order they queued, whichever
    /// comes first.
    async fn writers_go_in_arrival_order(group_first: bool) {
        let db = TestDb::sqlite().await;
        let s = db.store.clone();
        let c = Chain::new(&s).await;
        let order = Arc::new(StdMutex::new(Vec::new()));
        let holder = s.begin_write().await.unwrap();

        let group = {
            let (s, order) = (s.clone(), order.clone());
            let entry = c.message("queued", None);
            let keys = c.keys.clone();
            async move {
                s.append_entries(&[entry], &keys).await.unwrap();
                order.lock().unwrap().push("group");
            }
        };
        let user = {
            let (s, order) = (s.clone(), order.clone());
            async move {
                plain_user(&s, "queued").await;
                order.lock().unwrap().push("user");
            }
        };
        let (a, b) = if group_first {
            let a = tokio::spawn(group);
            tokio::time::sleep(SETTLE).await;
            (a, tokio::spawn(user))
        } else {
            let a = tokio::spawn(user);
            tokio::time::sleep(SETTLE).await;
            (a, tokio::spawn(group))
        };
        tokio::time::sleep(SETTLE).await;
        assert!(
            order.lock().unwrap().is_empty(),
            "nobody writes during another's turn"
        );
        holder.commit().await.unwrap();
        a.await.unwrap();
        b.await.unwrap();
        let want = if group_first {
            ["group", "user"]
        } else {
            ["user", "group"]
        };
        assert_eq!(*order.lock().unwrap(), want);
        assert_eq!(
            s.chain_tips(&[c.rel.as_str()]).await.unwrap()[&c.rel]
                .as_ref()
                .unwrap()
                .sequence,
            1
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_pooled_write_queued_first_goes_before_the_ledger_group() {
        writers_go_in_arrival_order(false).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_ledger_group_queued_first_goes_before_the_pooled_write() {
        writers_go_in_arrival_order(true).await;
    }

    /// A writer that gets no turn within the wait is told the database is busy.
    #[tokio::test(start_paused = true)]
    async fn no_turn_within_the_wait_is_busy() {
        let turns = WriteTurns::default();
        let held = turns.take().await.unwrap();
        assert!(matches!(turns.take().await, Err(StoreError::Busy)));
        drop(held);
        assert!(turns.take().await.is_ok(), "free again once the turn ends");
    }

    /// PostgreSQL writers do not queue (its row locks let them write side by side).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_writers_take_no_turn() {
        let Some(db) = TestDb::postgres().await else {
            return;
        };
        assert!(db.store.write_turn().await.unwrap().is_none());
        let _one = db.store.begin_write().await.unwrap();
        let _two = db.store.begin_write().await.unwrap();
    }
}
