//! Group commit for the access log: a granted read answers only after its log row is
//! durable; rows waiting together are written in one transaction (one fsync).

use crate::{Result, ServerError};
use slingshot_store::{NewAccessLog, Store};
use tokio::sync::{mpsc, oneshot};

/// Most rows in one transaction.
const MAX_GROUP: usize = 512;

struct Job {
    row: NewAccessLog,
    reply: oneshot::Sender<Result<()>>,
}

/// The handle reads log through.
#[derive(Clone)]
pub struct AccessLogWriter {
    tx: mpsc::Sender<Job>,
}

impl AccessLogWriter {
    /// Start the writer task (inside a Tokio runtime).
    pub fn spawn(store: Store) -> Self {
        let (tx, rx) = mpsc::channel(8192);
        tokio::spawn(run(rx, store));
        Self { tx }
    }

    /// Write one row; resolves once it is durable.
    pub async fn write(&self, row: NewAccessLog) -> Result<()> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Job { row, reply })
            .await
            .map_err(|_| ServerError::Internal("access-log writer stopped".into()))?;
        rx.await
            .map_err(|_| ServerError::Internal("access-log writer dropped a row".into()))?
    }
}

async fn run(mut rx: mpsc::Receiver<Job>, store: Store) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_GROUP);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        let rows: Vec<NewAccessLog> = batch.iter().map(|j| j.row.clone()).collect();
        let result = store.append_access_log(&rows).await;
        if let Err(e) = &result {
            tracing::error!(error = %e, rows = rows.len(), "access log group failed");
        }
        for j in batch.drain(..) {
            let r = match &result {
                Ok(()) => Ok(()),
                Err(e) => Err(ServerError::Internal(format!("access log: {e}"))),
            };
            let _ = j.reply.send(r);
        }
    }
}
