-- Schema version 2: a registration in progress belongs to one login.
--
-- `pending_ticket` is the SHA-256 digest of the login ticket whose login drew the
-- pending secret (`PendingMfa::ticket`). Rows written by version 1 keep NULL: their
-- registration belongs to no login and is replaced at the next view of a live login.
-- A ticket digest only ever accompanies a pending secret.

ALTER TABLE accounts ADD COLUMN pending_ticket BLOB
    CHECK (pending_ticket IS NULL OR (length(pending_ticket) = 32 AND pending_secret IS NOT NULL));
