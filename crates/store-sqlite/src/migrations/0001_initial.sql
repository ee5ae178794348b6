-- Schema version 1: accounts, lockout counters, login tickets, sessions, audit events.
--
-- Instants are TEXT in one fixed-width UTC form, 'YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ'
-- (valid RFC 3339, exact to the nanosecond), so comparing the text compares the
-- instants and the indexes on them work. Serde state objects of the core crates are
-- JSON text; sealed secrets and token digests are BLOBs.

PRAGMA application_id = 1936223083; -- 0x73686b6b, "shkk": marks a shikaku database

CREATE TABLE accounts (
    id                         INTEGER PRIMARY KEY AUTOINCREMENT,
    institution_code           TEXT    NOT NULL,
    login_id                   TEXT    NOT NULL,
    password_history           TEXT    NOT NULL CHECK (json_valid(password_history)),
    must_change_password       INTEGER NOT NULL CHECK (must_change_password IN (0, 1)),
    disabled                   INTEGER NOT NULL CHECK (disabled IN (0, 1)),
    -- The registered Authenticator: all four NULL, or secret/drift/enrolled_at set.
    mfa_secret                 BLOB,
    mfa_last_step              INTEGER CHECK (mfa_last_step >= 0),
    mfa_drift                  INTEGER,
    mfa_enrolled_at            TEXT,
    -- A registration in progress: all three NULL or all three set.
    pending_secret             BLOB,
    pending_print_prompt_shown INTEGER CHECK (pending_print_prompt_shown IN (0, 1)),
    pending_created_at         TEXT,
    session_slot               TEXT    NOT NULL CHECK (json_valid(session_slot)),
    created_at                 TEXT    NOT NULL,
    updated_at                 TEXT    NOT NULL,
    UNIQUE (institution_code, login_id),
    CHECK ((mfa_secret IS NULL) = (mfa_drift IS NULL)
       AND (mfa_secret IS NULL) = (mfa_enrolled_at IS NULL)
       AND (mfa_secret IS NOT NULL OR mfa_last_step IS NULL)),
    CHECK ((pending_secret IS NULL) = (pending_print_prompt_shown IS NULL)
       AND (pending_secret IS NULL) = (pending_created_at IS NULL))
) STRICT;

-- Kept per identifier whether or not such an account exists.
CREATE TABLE attempts (
    institution_code TEXT NOT NULL,
    login_id         TEXT NOT NULL,
    password_lockout TEXT NOT NULL CHECK (json_valid(password_lockout)),
    passcode_lockout TEXT NOT NULL CHECK (json_valid(passcode_lockout)),
    PRIMARY KEY (institution_code, login_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE login_tickets (
    digest     BLOB    PRIMARY KEY CHECK (length(digest) = 32),
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    issued_at  TEXT    NOT NULL,
    expires_at TEXT    NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX login_tickets_by_account ON login_tickets (account_id);
CREATE INDEX login_tickets_by_expiry ON login_tickets (expires_at);

CREATE TABLE sessions (
    digest     BLOB    PRIMARY KEY CHECK (length(digest) = 32),
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    clock      TEXT    NOT NULL CHECK (json_valid(clock)),
    created_at TEXT    NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_by_account ON sessions (account_id);

-- Append-only; `seq` is the order of arrival (AUTOINCREMENT: never reused).
CREATE TABLE audit_events (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    at               TEXT    NOT NULL,
    kind             TEXT    NOT NULL,
    institution_code TEXT,
    login_id         TEXT,
    channel          TEXT    NOT NULL,
    detail           TEXT,
    CHECK ((institution_code IS NULL) = (login_id IS NULL))
) STRICT;
CREATE INDEX audit_events_by_time ON audit_events (at);
CREATE INDEX audit_events_by_account ON audit_events (institution_code, login_id, at);
