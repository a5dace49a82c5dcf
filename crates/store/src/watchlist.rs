//! An organization's watchlist runs: which sources to watch, chosen by CELF in the
//! background over an uploaded cascade file.

use crate::{new_id, now_us, Result, Store, StoreError};

/// One run.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WatchRun {
    /// UUIDv7.
    pub id: String,
    /// The organization.
    pub org_id: String,
    /// Started by.
    pub created_by: String,
    /// Microseconds since the epoch.
    pub created_at: i64,
    /// When it ended.
    pub finished_at: Option<i64>,
    /// `running`, `done` or `failed`.
    pub status: String,
    /// The uploaded file's name.
    pub file_name: String,
    /// `dl`, `dt` or `pa`.
    pub objective: String,
    /// Sources to choose.
    pub k: i64,
    /// The selection (JSON) when done.
    pub result: Option<String>,
    /// The chart when done.
    pub svg: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
}

const COLS: &str = "id, org_id, created_by, created_at, finished_at, status, file_name, objective, k, result, svg, error";

impl Store {
    /// Record a started run (the caller checked the actor's role).
    pub async fn start_watch_run(
        &self,
        org_id: &str,
        actor: &str,
        file_name: &str,
        objective: &str,
        k: i64,
    ) -> Result<WatchRun> {
        let run = WatchRun {
            id: new_id(),
            org_id: org_id.to_owned(),
            created_by: actor.to_owned(),
            created_at: now_us(),
            finished_at: None,
            status: "running".into(),
            file_name: file_name.chars().take(200).collect(),
            objective: objective.to_owned(),
            k,
            result: None,
            svg: None,
            error: None,
        };
        self.write_one(sqlx::query("INSERT INTO watchlist_runs (id, org_id, created_by, created_at, status, file_name, objective, k) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(&run.id)
            .bind(&run.org_id)
            .bind(&run.created_by)
            .bind(run.created_at)
            .bind(&run.status)
            .bind(&run.file_name)
            .bind(&run.objective)
            .bind(run.k)
            )
            .await?;
        Ok(run)
    }

    /// Finish a run with its result, or its error.
    pub async fn finish_watch_run(
        &self,
        id: &str,
        outcome: std::result::Result<(String, String), String>,
    ) -> Result<()> {
        let (status, result, svg, error) = match outcome {
            Ok((r, s)) => ("done", Some(r), Some(s), None),
            Err(e) => ("failed", None, None, Some(e)),
        };
        self.write_one(sqlx::query("UPDATE watchlist_runs SET status = $1, result = $2, svg = $3, error = $4, finished_at = $5 WHERE id = $6")
            .bind(status)
            .bind(result)
            .bind(svg)
            .bind(error)
            .bind(now_us())
            .bind(id)
            )
            .await?;
        Ok(())
    }

    /// An organization's runs, newest first (members only).
    pub async fn watch_runs(&self, actor: &str, org_id: &str, limit: i64) -> Result<Vec<WatchRun>> {
        self.role_in(actor, org_id).await?;
        Ok(sqlx::query_as(&format!(
            "SELECT {COLS} FROM watchlist_runs WHERE org_id = $1 ORDER BY id DESC LIMIT {}",
            crate::sql::limit(limit)
        ))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// One run of an organization the actor belongs to.
    pub async fn watch_run(&self, actor: &str, org_id: &str, id: &str) -> Result<WatchRun> {
        self.role_in(actor, org_id).await?;
        sqlx::query_as(&format!(
            "SELECT {COLS} FROM watchlist_runs WHERE org_id = $1 AND id = $2"
        ))
        .bind(org_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)
    }
}
