-- Version 2: a key check value per master key id, so a key can be rotated (a new key
-- added beside the old one, made current, the old one retired) while every node still
-- refuses a key that does not belong to the database. The one value of version 1
-- becomes key 1's: the key of a key file without ids. Values are written once and
-- never removed (a retired key's id is not given again).
CREATE TABLE key_checks (
    key_id    bigint PRIMARY KEY CHECK (key_id BETWEEN 1 AND 4294967295),
    key_check bytea  NOT NULL CHECK (length(key_check) = 32)
);

INSERT INTO key_checks (key_id, key_check) SELECT 1, key_check FROM meta WHERE id = 1;

DROP TABLE meta;
