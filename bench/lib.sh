# Shared by bench/load.sh and bench/soak.sh: build, provision, serve, sample memory.
# Source it; it defines functions and sets ROOT, BIN, WORK (removed on exit).

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=$ROOT/target/release/shikaku
INSTITUTION_CODE=0123456789
LOAD_PASSWORD='Load#Pass2024'
USERS=${USERS:-100}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/shikaku-bench.XXXXXX")
SERVER_PID=
PG_PID=
PG_DIR=
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    stop_postgres
    rm -rf "$WORK"
}
trap cleanup EXIT

require_wrk() {
    command -v wrk >/dev/null || { echo "needs wrk: apt-get install -y wrk" >&2; exit 1; }
}

build() {
    echo "# building (release)…" >&2
    (cd "$ROOT" && cargo build --release -q -p shikaku-cli \
        && cargo build --release -q -p shikaku-password --example hash_memory)
}

machine() {
    echo "- CPU: $(nproc) × $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
    echo "- memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "- kernel: $(uname -sr); $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
}

# shikaku_binary: BIN is $SHIKAKU_BIN when set (another build to compare; nothing is
# built), else this tree's release build, built now. For the scripts that need only the
# server (build() also builds the argon2 probe).
shikaku_binary() {
    if [ -n "${SHIKAKU_BIN:-}" ]; then
        BIN=$SHIKAKU_BIN
    else
        echo "# building (release)…" >&2
        (cd "$ROOT" && cargo build --release -q -p shikaku-cli)
        BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/shikaku
    fi
    [ -x "$BIN" ] || { echo "no binary at $BIN" >&2; exit 1; }
}

require_sqlite3() {
    command -v sqlite3 >/dev/null || { echo "needs sqlite3: apt-get install -y sqlite3" >&2; exit 1; }
}

load_average() { cut -d' ' -f1-3 /proc/loadavg; }

# The machine is shared: how much CPU did *other* processes use while we measured?
# (Other sandboxes on the same kernel do not show in `ps`, but they do in /proc/stat.
# Interrupt and softirq time — loopback networking — is left out: it is mostly ours.)
# cpu_mark prints "total-busy server children time" (clock ticks, seconds);
# others_percent MARK1 MARK2 prints the others' share of all CPU time between the marks
# in percent (total − server − this script's children, i.e. wrk and the argon2 timing).
children_ticks() {
    times | awk -v hz="$(getconf CLK_TCK)" 'NR == 2 {
        split($1, u, /[ms]/); split($2, s, /[ms]/)
        printf "%d", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * hz }'
}
# The system under test: the server, and PostgreSQL (its postmaster with the backends it
# has reaped, and the live ones) when STORE=postgres.
sut_ticks() {
    local pids=("$SERVER_PID")
    if [ -n "$PG_PID" ]; then mapfile -t -O 1 pids < <(pgrep -P "$PG_PID"); fi
    {
        awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"
        [ -n "$PG_PID" ] && awk '{print $14 + $15 + $16 + $17}' "/proc/$PG_PID/stat" 2>/dev/null
        for p in "${pids[@]:1}"; do awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null; done
    } | awk '{t += $1} END {print t + 0}'
}
cpu_mark() {
    local total server
    total=$(awk '/^cpu / {print $2 + $3 + $4}' /proc/stat)   # user nice system
    server=$(sut_ticks)
    echo "$total $server $(children_ticks) $(date +%s.%N)"
}
others_percent() {
    awk -v a="$1" -v b="$2" -v n="$(nproc)" -v hz="$(getconf CLK_TCK)" 'BEGIN {
        split(a, x, " "); split(b, y, " ")
        others = (y[1] - x[1]) - (y[2] - x[2]) - (y[3] - x[3])
        all = (y[4] - x[4]) * hz * n
        if (others < 0) others = 0
        printf "%.0f", 100 * others / all }'
}

# The store under test: STORE=sqlite (a file, the default) or STORE=postgres (a
# PostgreSQL server with its default settings — fsync and synchronous_commit on —
# started by start_postgres). store_args prints the `--db …` or `--database-url …
# --master-key-file …` arguments every command gets.
STORE=${STORE:-sqlite}
store_args() {
    case $STORE in
        sqlite) printf '%s\n' --db "$1" ;;
        postgres) printf '%s\n' --database-url "$DATABASE_URL" --master-key-file "$WORK/master.key" ;;
        *) echo "STORE must be sqlite or postgres, not $STORE" >&2; exit 1 ;;
    esac
}

# start_postgres: initdb + postgres (Debian's binaries) in a fresh directory on a free
# loopback port, as an unprivileged user when run as root (initdb refuses root); sets
# PG_PID and DATABASE_URL, and writes the shared master key.
start_postgres() {
    local bindir port as=()
    bindir=$(dirname "$(command -v initdb 2>/dev/null || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | tail -1)")
    [ -x "$bindir/postgres" ] || { echo "needs PostgreSQL: apt-get install -y postgresql" >&2; exit 1; }
    PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/shikaku-bench-pg.XXXXXX")
    if [ "$(id -u)" = 0 ]; then chown nobody: "$PG_DIR"; as=(setpriv --reuid=nobody --regid=nogroup --clear-groups); fi
    "${as[@]}" "$bindir/initdb" -D "$PG_DIR/data" -A trust -U shikaku >/dev/null
    port=$(free_port)
    "${as[@]}" "$bindir/postgres" -D "$PG_DIR/data" -p "$port" -k "$PG_DIR" \
        -c listen_addresses=127.0.0.1 >"$PG_DIR/log" 2>&1 &
    PG_PID=$!
    DATABASE_URL="postgres://shikaku@127.0.0.1:$port/postgres"
    for _ in $(seq 1 100); do
        grep -q 'ready to accept connections' "$PG_DIR/log" && break
        sleep 0.1
    done
    [ -f "$WORK/master.key" ] || "$BIN" key generate --out "$WORK/master.key" >/dev/null
}
stop_postgres() {
    if [ -n "$PG_PID" ]; then kill -INT "$PG_PID" 2>/dev/null || true; wait "$PG_PID" 2>/dev/null || true; PG_PID=; fi
    if [ -n "$PG_DIR" ]; then rm -rf "$PG_DIR"; PG_DIR=; fi
}

# provision DB: $USERS accounts load000… with the default argon2 cost, in parallel.
provision() {
    local db=$1 args
    mapfile -t args < <(store_args "$db")
    echo "# provisioning $USERS users ($STORE)…" >&2
    "$BIN" user add --create "${args[@]}" --institution-code "$INSTITUTION_CODE" --login-id load000 \
        --password "$LOAD_PASSWORD" --json >/dev/null   # creates the file and key first
    seq 1 $((USERS - 1)) | xargs -P "$(nproc)" -I{} sh -c \
        'exec "$0" user add "$@" --institution-code "'"$INSTITUTION_CODE"'" --login-id "$(printf load%03d {})" --password "'"$LOAD_PASSWORD"'" --json >/dev/null' \
        "$BIN" "${args[@]}"
}

# free_port: a loopback port nobody listens on now (the public origin must name the
# port before the server starts).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# serve DB: starts `shikaku serve` on a free loopback port; sets SERVER_PID and URL.
# HASHING_THREADS, if set, becomes `[server] hashing_threads` (default: cores).
serve() {
    local db=$1 log=$WORK/serve.log config=$WORK/shikaku.toml
    : >"$config"
    if [ -n "${HASHING_THREADS:-}" ]; then
        printf '[server]\nhashing_threads = %d\n' "$HASHING_THREADS" >"$config"
    fi
    local port
    port=$(free_port)
    local args
    mapfile -t args < <(store_args "$db")
    RUST_LOG=warn ${SERVER_ENV:-} "$BIN" serve "${args[@]}" --config "$config" \
        --bind "127.0.0.1:$port" --public-origin "http://127.0.0.1:$port" >"$log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        URL=$(sed -n 's|^shikaku serving on \(http://[0-9.:]*\)/.*|\1|p' "$log")
        [ -n "$URL" ] && return 0
        sleep 0.1
    done
    echo "shikaku serve did not start:" >&2; cat "$log" >&2; exit 1
}

# rss FIELD: VmRSS / VmHWM of the server in KiB.
rss() { awk -v f="$1:" '$1 == f {print $2}' "/proc/$SERVER_PID/status"; }

# argon2_ms: one argon2id verification's time at the default cost (m=19456 KiB, t=2,
# p=1), single thread: the pooled hash of the password crate's example (a verification
# is the same computation plus a constant-time compare).
argon2_ms() {
    "$ROOT/target/release/examples/hash_memory" pooled "${1:-60}" \
        | sed -n 's/.* \([0-9.]*\) ms\/run.*/\1/p'
}

# argon2_parallel_ms [RUNS]: the same verification with every core computing one at
# once (one process per core, as the server's hashing threads do): the mean time of one.
# Two computations at once are slower each than one alone — they share the last-level
# cache and the memory bus (19 MiB each) — so this, not argon2_ms, is what the cores can
# really do together.
argon2_parallel_ms() {
    local i pids=()
    for i in $(seq 1 "$(nproc)"); do
        "$ROOT/target/release/examples/hash_memory" pooled "${1:-60}" >"$WORK/argon2-$i.out" &
        pids+=($!)
    done
    wait "${pids[@]}"
    cat "$WORK"/argon2-*.out | sed -n 's/.* \([0-9.]*\) ms\/run.*/\1/p' \
        | awk '{t += $1; n++} END {printf "%.3f", t / n}'
    rm -f "$WORK"/argon2-*.out
}

# wrk_login CONNECTIONS SECONDS [extra wrk args]: password logins, rotating over the users.
# The long timeout keeps wrk from giving up on queued logins: a client that disconnects
# is a different experiment (see docs/performance.md).
wrk_login() {
    local c=$1 d=$2; shift 2
    local t=$(( c < $(nproc) ? c : $(nproc) ))
    USERS=$USERS CODE=$INSTITUTION_CODE PASSWORD=$LOAD_PASSWORD \
        wrk -t"$t" -c"$c" -d"${d}s" --timeout 60s --latency -s "$ROOT/bench/login.lua" "$@" "$URL"
}

# From wrk's output: requests/s, p50 and p99 in ms, non-2xx count.
wrk_rps() { awk '/^Requests\/sec:/ {print $2}'; }
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000} printf "%.2f\n", v}'; }
wrk_pct() { awk -v p="$1%" '$1 == p {print $2}' | to_ms; }
wrk_errors() { awk '/Non-2xx or 3xx responses:/ {n=$NF} /Socket errors:/ {e=$0} END {print (n ? n : 0) (e ? " (" e ")" : "")}'; }

# quiet_run OUTFILE COMMAND…: runs COMMAND (output to OUTFILE) up to $RETRIES times
# (default 3) until other processes used at most $QUIET % of the CPU meanwhile (default
# 10); keeps the quietest attempt and prints the others' share it had.
quiet_run() {
    local outfile=$1; shift
    local best=101 attempt m1 m2 others
    for attempt in $(seq 1 "${RETRIES:-3}"); do
        m1=$(cpu_mark)
        "$@" >"$WORK/attempt.out" 2>&1
        m2=$(cpu_mark)
        others=$(others_percent "$m1" "$m2")
        if [ "$others" -lt "$best" ]; then
            best=$others
            cp "$WORK/attempt.out" "$outfile"
        fi
        [ "$others" -le "${QUIET:-10}" ] && break
        echo "# others used $others % of the CPU during: $*; again" >&2
    done
    echo "$best"
}
