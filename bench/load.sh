#!/usr/bin/env bash
# Load test of `shikaku serve` (default argon2 cost) on loopback with wrk, on each store:
# the SQLite file and a PostgreSQL server with its default settings, one after the other
# in one run (STORES="sqlite postgres").
#
#   bench/load.sh                 # 20 s per step, both stores
#   STORES=sqlite bench/load.sh   # one store
#   DURATION=30 USERS=200 bench/load.sh
#   HASHING_THREADS=4 bench/load.sh      # [server] hashing_threads (default: cores)
#   SERVER_ENV="env MALLOC_MMAP_THRESHOLD_=1048576" bench/load.sh   # prefix for the server
#
# The machine may be shared: each step is repeated (up to RETRIES=3 times) until other
# processes used at most QUIET=10 % of the CPU during it, and the quietest is kept; the
# tables say how much the others used (PostgreSQL's processes count as the server's).
#
# Builds the release binary, provisions $USERS accounts, and measures, per store:
#   1. the time of one argon2id verification (default cost, one thread) → the limit:
#      cores ÷ that time, in logins per second; and the time of one while every core
#      computes one → the hashing ceiling, cores ÷ that time (both measured once);
#   2. password-login throughput and p50/p99 latency at concurrency 1, 8 and 64
#      (POST /api/v1/login with the right password, rotating over the accounts);
#   3. the p99 of a cheap request (GET /login) alone, and while 64 connections of
#      logins saturate the CPU;
#   4. the server's RSS: after start, and the peak (VmHWM) under load.
# Prints markdown for docs/performance.md. Needs wrk (apt-get install -y wrk) and, for
# PostgreSQL, Debian's postgresql package.
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-20}
require_wrk
build

argon2=$(argon2_ms 100)
argon2_together=$(argon2_parallel_ms 100)
cores=$(nproc)
limit=$(awk -v n="$cores" -v ms="$argon2" 'BEGIN {printf "%.0f", n * 1000 / ms}')
ceiling=$(awk -v n="$cores" -v ms="$argon2_together" 'BEGIN {printf "%.0f", n * 1000 / ms}')
share() { awk -v r="$1" -v l="$2" 'BEGIN {printf "%.0f %%", 100 * r / l}'; }
summary=()

measure() {
DB=$WORK/load-$STORE.db
[ "$STORE" = postgres ] && start_postgres
provision "$DB"
serve "$DB"
rss_start=$(rss VmRSS)
load_before=$(load_average)

wrk_login 2 3 >/dev/null 2>&1   # warm-up: the hasher's memory pool, the store's caches

rows=()
for c in 1 8 64; do
    others=$(quiet_run "$WORK/logins.out" wrk_login "$c" "$DURATION")
    out=$(cat "$WORK/logins.out")
    rps=$(wrk_rps <<<"$out")
    pct="$(share "$rps" "$limit") / $(share "$rps" "$ceiling")"
    [ "$c" = 8 ] && rows8="$(printf %.1f "$rps") ($pct)"
    [ "$c" = 64 ] && rows64="$(printf %.1f "$rps") ($pct)"
    rows+=("| $c | $(printf %.1f "$rps") | $(wrk_pct 50 <<<"$out") | $(wrk_pct 99 <<<"$out") | $(share "$rps" "$limit") | $(share "$rps" "$ceiling") | $(wrk_errors <<<"$out") | $others % |")
done
hwm_logins=$(rss VmHWM)

# The cheap request, alone and then while 64 connections of logins saturate the CPU.
others_idle=$(quiet_run "$WORK/idle.out" wrk -t1 -c1 -d"${DURATION}s" --latency "$URL/login")
idle=$(cat "$WORK/idle.out")
cheap_under_logins() {
    wrk_login 64 $((DURATION + 4)) >"$WORK/saturating.out" 2>&1 &
    local saturating=$!
    sleep 2
    wrk -t1 -c1 -d"${DURATION}s" --latency "$URL/login"
    rss VmRSS >"$WORK/rss_busy"
    wait "$saturating"
    echo "=== the saturating logins"
    cat "$WORK/saturating.out"
}
others_busy=$(quiet_run "$WORK/busy.out" cheap_under_logins)
busy=$(sed '/^=== the saturating logins/,$d' "$WORK/busy.out")
sat_rps=$(sed -n '/^=== the saturating logins/,$p' "$WORK/busy.out" | wrk_rps)
rss_busy=$(cat "$WORK/rss_busy")
hwm=$(rss VmHWM)
rss_end=$(rss VmRSS)
load_after=$(load_average)

summary+=("| $STORE | ${rows8} | ${rows64} | $(wrk_pct 99 <<<"$busy") | $hwm |")
cat <<MD
### Store: $STORE

- load average before / after: $load_before / $load_after; "others' CPU" is the share
  of all CPU time that processes other than the server$( [ "$STORE" = postgres ] && echo ", PostgreSQL") and wrk used
  during each step (from /proc/stat)
- server: \`hashing_threads\` = ${HASHING_THREADS:-$cores (default: cores)}

Password logins (\`POST /api/v1/login\`, right password, $USERS accounts in rotation), ${DURATION} s each:

| connections | logins/s | p50 (ms) | p99 (ms) | of the limit | of the ceiling | non-2xx | others' CPU |
|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${rows[@]}")

Cheap request (\`GET /login\`, one connection, ${DURATION} s):

| while | requests/s | p50 (ms) | p99 (ms) | others' CPU |
|---|---|---|---|---|
| idle server | $(printf %.0f "$(wrk_rps <<<"$idle")") | $(wrk_pct 50 <<<"$idle") | $(wrk_pct 99 <<<"$idle") | $others_idle % |
| 64 connections of logins ($(printf %.1f "$sat_rps") logins/s) | $(printf %.0f "$(wrk_rps <<<"$busy")") | $(wrk_pct 50 <<<"$busy") | $(wrk_pct 99 <<<"$busy") | $others_busy % |

Server memory (KiB): RSS after start $rss_start; peak (VmHWM) after the login runs $hwm_logins;
RSS under saturation $rss_busy; peak over the whole run $hwm; RSS at the end $rss_end.

MD
kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
stop_postgres
}

cat <<MD
Machine:

$(machine)

One argon2id verification (m = 19456 KiB, t = 2, p = 1, one thread, \`hash_memory pooled 100\`):
**$argon2 ms** → the limit $cores cores ÷ $argon2 ms = **$limit logins/s**.

The same with $cores computations at once (one \`hash_memory pooled 100\` per core, as the
server's $cores hashing threads run): **$argon2_together ms** each → the hashing ceiling
$cores ÷ $argon2_together ms = **$ceiling logins/s**, what the cores can compute with
nothing else running.

MD
for STORE in ${STORES:-sqlite postgres}; do
    measure
done
cat <<MD
### Side by side

| store | logins/s at 8 (of the limit / ceiling) | logins/s at 64 (of the limit / ceiling) | GET /login p99 under logins (ms) | peak RSS (KiB) |
|---|---|---|---|---|
$(printf '%s\n' "${summary[@]}")
MD
