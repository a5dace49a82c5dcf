-- Listening: an organization's watchlist selections (CELF runs over uploaded cascades).
CREATE TABLE watchlist_runs (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id),
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    finished_at BIGINT,
    status TEXT NOT NULL,             -- running | done | failed
    file_name TEXT NOT NULL,
    objective TEXT NOT NULL,
    k BIGINT NOT NULL,
    result TEXT,                      -- the selection as JSON
    svg TEXT,                         -- value and bound against k
    error TEXT
);
CREATE INDEX watchlist_runs_by_org ON watchlist_runs(org_id, id);
