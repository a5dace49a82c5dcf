-- Personal data under the customer's control: the vault, grants, consent records,
-- the access log, proffered terms, and access requests with their clock.

-- The person's vault: one row per profile field.
CREATE TABLE profile_fields (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,               -- name, email, phone, postal-address, birthdate, preference, custom
    label TEXT NOT NULL,
    value TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX profile_fields_by_person ON profile_fields(person_id, id);

-- A grant: these fields, to this organization, for this purpose, until expiry.
CREATE TABLE grants (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES users(id),
    org_id TEXT NOT NULL REFERENCES organizations(id),
    relationship_id TEXT NOT NULL REFERENCES relationships(id),
    purpose TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    revoke_reason TEXT
);
CREATE INDEX grants_by_person ON grants(person_id, id);
CREATE INDEX grants_by_relationship ON grants(relationship_id, purpose);

-- Fields of a grant (a deleted field simply stops being returned).
CREATE TABLE grant_fields (
    grant_id TEXT NOT NULL REFERENCES grants(id),
    field_id TEXT NOT NULL,
    PRIMARY KEY (grant_id, field_id)
);

-- One record per grant or withdrawal (ISO/IEC TS 27560 fields as JSON) and its signed
-- Kantara Consent Receipt v1.1 (compact JWS by the instance key).
CREATE TABLE consent_records (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES users(id),
    org_id TEXT NOT NULL REFERENCES organizations(id),
    grant_id TEXT NOT NULL REFERENCES grants(id),
    action TEXT NOT NULL,             -- given | withdrawn
    record TEXT NOT NULL,
    receipt TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX consent_records_by_person ON consent_records(person_id, id);

-- Every read of granted data. Append-only: no code path updates or deletes a row.
CREATE TABLE access_log (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES users(id),
    org_id TEXT NOT NULL REFERENCES organizations(id),
    reader_id TEXT NOT NULL,          -- the member who read
    reader_handle TEXT NOT NULL,
    via TEXT NOT NULL,                -- 'session' or the API token's name
    purpose TEXT NOT NULL,
    fields TEXT NOT NULL,             -- JSON array of the field labels returned
    grant_ids TEXT NOT NULL,          -- JSON array
    at BIGINT NOT NULL
);
CREATE INDEX access_log_by_person ON access_log(person_id, at, id);
CREATE INDEX access_log_by_org ON access_log(org_id, at, id);

-- How an organization answers requests: its clock and its public statements.
CREATE TABLE org_privacy (
    org_id TEXT PRIMARY KEY REFERENCES organizations(id),
    response_days BIGINT NOT NULL,
    time_zone TEXT NOT NULL,
    weekend TEXT NOT NULL,
    holidays TEXT NOT NULL,
    observe_weekend_holidays BIGINT NOT NULL,
    jurisdiction TEXT NOT NULL,
    policy_url TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Terms a person proffers (IEEE 7012 style) and the organization's answer; both sign.
CREATE TABLE terms_records (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES users(id),
    org_id TEXT NOT NULL REFERENCES organizations(id),
    relationship_id TEXT NOT NULL REFERENCES relationships(id),
    term TEXT NOT NULL,
    list_version TEXT NOT NULL,
    proffered_at BIGINT NOT NULL,
    person_key_id TEXT NOT NULL,
    person_signature TEXT NOT NULL,
    response TEXT,                    -- accepted | counter | rejected; NULL while pending
    counter_term TEXT,
    responder_id TEXT,
    responded_at BIGINT,
    org_key_id TEXT,
    org_signature TEXT
);
CREATE INDEX terms_by_person ON terms_records(person_id, id);
CREATE INDEX terms_by_org ON terms_records(org_id, id);

-- Requests to access, correct, delete, port or object, with their due dates.
CREATE TABLE access_requests (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES users(id),
    org_id TEXT NOT NULL REFERENCES organizations(id),
    relationship_id TEXT NOT NULL REFERENCES relationships(id),
    kind TEXT NOT NULL,               -- access | correction | deletion | portability | objection
    body TEXT NOT NULL,
    fields TEXT NOT NULL,             -- JSON array of profile field ids (corrections)
    state TEXT NOT NULL,              -- received | extended | answered | refused | partially-refused | withdrawn
    received_at BIGINT NOT NULL,
    received_on TEXT NOT NULL,        -- the receipt date in the organization's zone
    first_due_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    due_at BIGINT NOT NULL,           -- end of the due day in the organization's zone
    business_days BIGINT NOT NULL,
    time_zone TEXT NOT NULL,
    extension_reason TEXT,
    extended_at BIGINT,
    answer TEXT,
    refusal_reasons TEXT,
    recourse TEXT,
    erasure_report TEXT,
    closed_at BIGINT,
    closed_by TEXT
);
CREATE INDEX access_requests_by_org ON access_requests(org_id, due_at, id);
CREATE INDEX access_requests_by_person ON access_requests(person_id, id);

-- What happened to a request, in order; the person sees all of it.
CREATE TABLE access_request_events (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES access_requests(id),
    at BIGINT NOT NULL,
    actor_id TEXT,
    kind TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX access_request_events_by_request ON access_request_events(request_id, at, id);

-- The machine-readable export an answer carried, kept as sent.
CREATE TABLE access_request_exports (
    request_id TEXT PRIMARY KEY REFERENCES access_requests(id),
    content_type TEXT NOT NULL,
    data BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
