#!/usr/bin/env bash
# Memory of a server whose store holds many accounts and many lock counters: what walks
# every account (the start-up key checks, the timing dummies that housekeeping refreshes at
# start and every 10 minutes) reads them a page at a time, and housekeeping reads only the
# counters that hold a lock, so the peak should grow with neither table.
#
#   bench/accounts.sh                 # 1 account; 100,000; then 1,000,000 counters more
#   ACCOUNTS=300000 COUNTERS=3000000 bench/accounts.sh
#   SHIKAKU_BIN=/tmp/before-target/release/shikaku bench/accounts.sh
#                                     # another build of shikaku (no build here)
#
# Creates a SQLite database with one account (`shikaku user add --create`), starts
# `shikaku serve` on it and reads its peak RSS (VmHWM) once the start-up housekeeping
# has run; then copies that account's row to $ACCOUNTS accounts with sqlite3 (same
# password hash, login IDs bulk000002…) and measures again; then adds $COUNTERS lock
# counters of identifiers without an account, each with one wrong password (what a spray
# of fresh IDs leaves: the row a real failure writes, copied), and measures again. Needs sqlite3
# (apt-get install -y sqlite3).
source "$(dirname "$0")/lib.sh"

ACCOUNTS=${ACCOUNTS:-100000}
COUNTERS=${COUNTERS:-1000000}
require_sqlite3
shikaku_binary

DB=$WORK/accounts.db
"$BIN" user add --create --db "$DB" --institution-code "$INSTITUTION_CODE" \
    --login-id bulk000001 --password "$LOAD_PASSWORD" --json >/dev/null 2>&1

# peak: serves $DB until the start-up housekeeping is done; prints VmHWM (KiB).
peak() {
    SERVER_ENV="env RUST_LOG=warn,shikaku::serve=debug" serve "$DB"
    for _ in $(seq 1 1200); do
        grep -q housekeeping "$WORK/serve.log" && break
        sleep 0.1
    done
    grep -q housekeeping "$WORK/serve.log" || { echo "no housekeeping line:" >&2; cat "$WORK/serve.log" >&2; exit 1; }
    rss VmHWM
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
}

echo "| accounts | lock counters | peak RSS (VmHWM) |"
echo "|---:|---:|---:|"
echo "| 1 | 0 | $(peak) KiB |"
sqlite3 "$DB" "WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < $ACCOUNTS)
    INSERT INTO accounts (institution_code, login_id, password_history, must_change_password,
                          disabled, session_slot, created_at, updated_at)
    SELECT institution_code, printf('bulk%06d', i), password_history, must_change_password,
           disabled, session_slot, created_at, updated_at
    FROM accounts, n WHERE accounts.login_id = 'bulk000001';"
echo "| $(sqlite3 "$DB" 'SELECT count(*) FROM accounts') | 0 | $(peak) KiB |"
sqlite3 "$DB" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $COUNTERS)
    INSERT INTO attempts (institution_code, login_id, password_lockout, passcode_lockout)
    SELECT '$INSTITUTION_CODE', printf('probe%07d', i), '{\"state\":\"open\",\"failures\":1}',
           '{\"state\":\"open\",\"failures\":0}' FROM n;"
echo "| $(sqlite3 "$DB" 'SELECT count(*) FROM accounts') | $(sqlite3 "$DB" 'SELECT count(*) FROM attempts') | $(peak) KiB |"
