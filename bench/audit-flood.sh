#!/usr/bin/env bash
# Flood resistance of the audit trail (issue 14): how fast does the store grow while a
# client hammers one locked identifier?
#
#   bench/audit-flood.sh                       # builds the release binary, 20 s of hammer
#   DURATION=60 THREADS=16 bench/audit-flood.sh
#   SHIKAKU_BIN=/tmp/before-target/release/shikaku LABEL=before bench/audit-flood.sh
#                                               # another build of shikaku (no build here)
#
# Starts `shikaku serve` (default settings) on a fresh SQLite database, provisions one
# account, locks it with three wrong passwords, then sends wrong passwords for it from
# $THREADS wrk threads (one connection each) to POST /api/v1/login for $WARMUP seconds
# (the WAL reaches its working size) and then for $DURATION seconds, measured. Reports,
# over the measured seconds: requests/s and their answers, the growth of the database
# (the file plus its -wal) in bytes/s, and audit rows/s (counted in the database with
# sqlite3). Prints one markdown table row for docs/performance.md. Needs wrk and sqlite3
# (apt-get install -y wrk sqlite3).
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-20}
WARMUP=${WARMUP:-5}
THREADS=${THREADS:-16}
LOGIN_ID=flood01
require_wrk
require_sqlite3
shikaku_binary

DB=$WORK/flood.db
"$BIN" user add --create --db "$DB" --institution-code "$INSTITUTION_CODE" \
    --login-id "$LOGIN_ID" --password "$LOAD_PASSWORD" --json >/dev/null
serve "$DB"

body() { printf '{"institution_code":"%s","login_id":"%s","password":"%s"}' \
    "$INSTITUTION_CODE" "$LOGIN_ID" "$1"; }
for i in 1 2 3; do
    curl -s -o /dev/null -H 'Content-Type: application/json' \
        -d "$(body "Wrong#Pass0$i")" "$URL/api/v1/login"
done
status=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "$(body "Wrong#Pass04")" "$URL/api/v1/login")
[ "$status" = 423 ] || { echo "the account is not locked (answer $status)" >&2; exit 1; }

cat >"$WORK/flood.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$(body "Wrong#Pass99")'
local answers = {}
function response(status, headers, body)
  answers[status] = (answers[status] or 0) + 1
end
EOF

size() { stat -c %s "$DB" "$DB-wal" 2>/dev/null | awk '{s += $1} END {print s + 0}'; }
rows() { sqlite3 -readonly "$DB" 'SELECT count(*) FROM audit_events'; }
hammer() {
    wrk -t"$THREADS" -c"$THREADS" -d"${1}s" --timeout 10s -s "$WORK/flood.lua" "$URL/api/v1/login"
}

echo "# warm-up: ${WARMUP}s" >&2
hammer "$WARMUP" >/dev/null
size0=$(size); rows0=$(rows); t0=$(date +%s.%N)
echo "# hammer: ${DURATION}s, $THREADS threads" >&2
hammer "$DURATION" >"$WORK/wrk.out"
t1=$(date +%s.%N); size1=$(size); rows1=$(rows)
cat "$WORK/wrk.out" >&2

rps=$(wrk_rps <"$WORK/wrk.out")
non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$WORK/wrk.out")
requests=$(awk '/requests in/ {print $1}' "$WORK/wrk.out")
locked_events=$(sqlite3 -readonly "$DB" \
    "SELECT count(*) FROM audit_events WHERE kind = 'password_attempt_while_locked'")
read -r bps rowps per_req < <(awk -v s0="$size0" -v s1="$size1" -v r0="$rows0" -v r1="$rows1" \
    -v t0="$t0" -v t1="$t1" -v n="$requests" 'BEGIN {
        d = t1 - t0
        printf "%.0f %.1f %.1f\n", (s1 - s0) / d, (r1 - r0) / d, (n > 0 ? (s1 - s0) / n : 0) }')

echo
echo "binary: $BIN ($("$BIN" --version))"
echo "measured ${DURATION}s after a ${WARMUP}s warm-up, $THREADS threads × 1 connection:"
echo "  requests:        $requests ($rps/s; answers other than 2xx: ${non2xx:-0})"
echo "  database:        $size0 → $size1 bytes (file + -wal): $bps bytes/s, $per_req bytes per request"
echo "  audit rows:      $rows0 → $rows1: $rowps rows/s ($locked_events password_attempt_while_locked in all)"
echo
echo "| ${LABEL:-this build} | $THREADS | ${DURATION} s | $(printf %.0f "$rps") | $bps | $rowps | $locked_events |"
