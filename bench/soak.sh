#!/usr/bin/env bash
# Soak: `shikaku serve` (SQLite, default argon2 cost) under password logins for a long
# time, sampling the server's memory. Run by hand, not in CI:
#
#   bench/soak.sh                       # 600 s at 8 connections, RSS every 10 s
#   SECONDS_TOTAL=3600 CONNECTIONS=64 bench/soak.sh
#
# Prints the RSS series (KiB) and its summary; memory is "flat" when the last samples
# sit at the level reached in the first minute.
source "$(dirname "$0")/lib.sh"

SECONDS_TOTAL=${SECONDS_TOTAL:-600}
CONNECTIONS=${CONNECTIONS:-8}
INTERVAL=${INTERVAL:-10}
require_wrk
build

DB=$WORK/soak.db
provision "$DB"
serve "$DB"
echo "# load average at start: $(load_average)"
echo "# t(s) VmRSS(KiB) threads db+wal(KiB)"
series=$WORK/rss.txt
start_mark=$(cpu_mark)
wrk_login "$CONNECTIONS" "$SECONDS_TOTAL" >"$WORK/wrk.out" 2>&1 &
load=$!
t=0
while kill -0 "$load" 2>/dev/null; do
    sample="$t $(rss VmRSS) $(awk '/^Threads:/ {print $2}' "/proc/$SERVER_PID/status") $(du -k -c "$DB" "$DB-wal" 2>/dev/null | awk 'END {print $1}')"
    echo "$sample" | tee -a "$series"
    sleep "$INTERVAL"
    t=$((t + INTERVAL))
done
wait "$load" || true
echo "# load average at end: $(load_average); other processes used $(others_percent "$start_mark" "$(cpu_mark)") % of the CPU during the soak"
cat "$WORK/wrk.out"
awk -v hwm="$(rss VmHWM)" '
    NR == 1 {min = $2; max = $2}
    {if ($2 < min) min = $2; if ($2 > max) max = $2; last = $2; n++; if ($1 <= 60) first_minute = $2}
    END {printf "RSS over %d samples (KiB): min %d, max %d, after the first minute %d, last %d; VmHWM %d\n", n, min, max, first_minute, last, hwm}
' "$series"
