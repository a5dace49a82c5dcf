-- Relationships, conversations (threads) and the ledger of entries.
-- Portable SQL (SQLite and PostgreSQL); full-text search is set up per backend in code
-- (see src/search.rs) because FTS5 and tsvector have no common syntax.

-- Ed25519 keys of people and organizations, sealed under the server's master key.
CREATE TABLE signing_keys (
    key_id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,              -- 'user:<id>' or 'org:<id>'
    public_key TEXT NOT NULL,         -- base64url
    sealed_secret TEXT NOT NULL,      -- base64url(nonce || ciphertext)
    created_at BIGINT NOT NULL,
    retired_at BIGINT
);
CREATE INDEX signing_keys_by_owner ON signing_keys(owner);

-- A person's relationship with a vendor: an organization here (org_id), or an
-- off-platform vendor the person tracks alone (org_id NULL).
CREATE TABLE relationships (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES users(id),
    org_id TEXT REFERENCES organizations(id),
    vendor_name TEXT NOT NULL,
    vendor_website TEXT NOT NULL DEFAULT '',
    vendor_domain TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    pseudonym TEXT NOT NULL UNIQUE,
    shared_at BIGINT,                 -- when the history became visible to the organization
    head_seq BIGINT NOT NULL DEFAULT 0,
    head_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX relationships_by_person ON relationships(person_id, id);
CREATE INDEX relationships_by_org ON relationships(org_id, id);
CREATE UNIQUE INDEX relationships_person_org ON relationships(person_id, org_id) WHERE org_id IS NOT NULL;

CREATE TABLE threads (
    id TEXT PRIMARY KEY,
    relationship_id TEXT NOT NULL REFERENCES relationships(id),
    subject TEXT NOT NULL,
    stage TEXT NOT NULL,
    status TEXT NOT NULL,
    opened_by TEXT NOT NULL,          -- 'customer' or 'vendor'
    assignee_id TEXT REFERENCES users(id),
    follow_up_on TEXT,                -- YYYY-MM-DD
    follow_up_side TEXT,              -- whose reminder it is
    last_customer_at BIGINT,
    last_activity_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX threads_by_relationship ON threads(relationship_id, last_activity_at);
CREATE INDEX threads_by_follow_up ON threads(follow_up_on);

CREATE TABLE thread_tags (
    thread_id TEXT NOT NULL REFERENCES threads(id),
    tag TEXT NOT NULL,
    PRIMARY KEY (thread_id, tag)
);
CREATE INDEX thread_tags_by_tag ON thread_tags(tag);

CREATE TABLE thread_links (
    from_thread TEXT NOT NULL REFERENCES threads(id),
    to_thread TEXT NOT NULL REFERENCES threads(id),
    kind TEXT NOT NULL,               -- follows_from | related | duplicate_of
    created_at BIGINT NOT NULL,
    PRIMARY KEY (from_thread, to_thread, kind)
);

-- The ledger. Shared entries carry seq/hash/signature and chain per relationship; private
-- notes (private_side set) are off the chain and seen only by their author's side.
CREATE TABLE entries (
    id TEXT PRIMARY KEY,
    relationship_id TEXT NOT NULL REFERENCES relationships(id),
    thread_id TEXT NOT NULL REFERENCES threads(id),
    seq BIGINT,
    side TEXT NOT NULL,
    author_id TEXT,
    kind TEXT NOT NULL,
    at BIGINT NOT NULL,
    header TEXT,                      -- canonical header JSON (chain entries)
    hash TEXT,
    key_id TEXT,
    signature TEXT,
    body_digest TEXT NOT NULL,
    private_side TEXT,
    source_ref TEXT,                  -- e.g. the raw digest of an imported e-mail
    erased_at BIGINT,
    UNIQUE (relationship_id, seq)
);
CREATE INDEX entries_by_relationship ON entries(relationship_id, at);
CREATE INDEX entries_by_thread ON entries(thread_id, at);
CREATE UNIQUE INDEX entries_by_source ON entries(relationship_id, source_ref) WHERE source_ref IS NOT NULL;

-- Bodies apart from the chain, so a body can be erased while the chain still verifies.
CREATE TABLE entry_bodies (
    entry_id TEXT PRIMARY KEY REFERENCES entries(id),
    body TEXT NOT NULL,               -- the JSON body whose digest is in the header
    search_text TEXT NOT NULL
);

CREATE TABLE checkpoints (
    relationship_id TEXT NOT NULL REFERENCES relationships(id),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    side TEXT NOT NULL,               -- the side that countersigned
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (relationship_id, side, seq)
);

CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    entry_id TEXT NOT NULL REFERENCES entries(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BYTEA
);
