-- Schema version 3: administration. API keys, the master key's check value, and the
-- indexes behind paged, filtered reads of the audit log and of the accounts.
--
-- Pages are by key set (`WHERE seq < ?` / `WHERE (institution_code, login_id) > (?, ?)`
-- then `LIMIT`), never by offset, so each page is one index range whatever its depth.

-- An API key is kept as the SHA-256 digest of the key, never the key. `id` is
-- AUTOINCREMENT: a revoked key's number is never given to another. `scope` is the
-- serde JSON of `ApiKeyScope`: "all" or {"institutions": ["0123456789", …]}.
CREATE TABLE api_keys (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL,
    digest     BLOB    NOT NULL UNIQUE CHECK (length(digest) = 32),
    scope      TEXT    NOT NULL CHECK (json_valid(scope)),
    created_at TEXT    NOT NULL,
    revoked_at TEXT
) STRICT;

-- Store-wide values: exactly one row (`id = 1`), written once. `key_check` is the
-- master key's check value (`MasterKey::check_value`, 32 bytes): the first node to
-- start on the database records its key's, and a node whose key gives another refuses
-- to start.
CREATE TABLE meta (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    key_check BLOB    NOT NULL CHECK (length(key_check) = 32)
) STRICT;

-- Audit pages filter by identifier, institution or kind and run in `seq` order either
-- way from a cursor: each filter's index ends in `seq`, so a page is a range scan in
-- the order asked, with no sort. (`audit_events_by_time` from version 1 serves the
-- since/until bounds.)
CREATE INDEX audit_events_by_login ON audit_events (institution_code, login_id, seq);
CREATE INDEX audit_events_by_institution ON audit_events (institution_code, seq);
CREATE INDEX audit_events_by_kind ON audit_events (kind, seq);

-- Account pages run in (institution_code, login_id) order: the UNIQUE constraint of
-- version 1 already indexes exactly that, so it needs no index of its own.
