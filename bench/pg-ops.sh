#!/usr/bin/env bash
# Database work per password login on PostgreSQL: transactions committed and rolled back
# (pg_stat_database) and rows written, per `POST /api/v1/login` with the right password,
# and per wrong password. For the capacity model in docs/deployment.md.
#
#   bench/pg-ops.sh            # 200 logins of each kind
#   LOGINS=500 bench/pg-ops.sh
#
# Needs Debian's postgresql package and curl. Builds the release binary.
source "$(dirname "$0")/lib.sh"
LOGINS=${LOGINS:-200}
USERS=${USERS:-20}
STORE=postgres
build
start_postgres
provision unused
serve unused

port=${DATABASE_URL##*:}; port=${port%%/*}
stats() {
    psql -qAt -h 127.0.0.1 -p "$port" -U shikaku -d postgres -c "select pg_stat_force_next_flush()" >/dev/null 2>&1 || true
    sleep 1
    psql -qAt -h 127.0.0.1 -p "$port" -U shikaku -d postgres -F ' ' -c \
        "select xact_commit, xact_rollback, tup_inserted + tup_updated + tup_deleted from pg_stat_database where datname = 'postgres'"
}
login() { # login ID, password
    curl -s -o /dev/null -w '%{http_code}\n' -H 'content-type: application/json' \
        -d "{\"institution_code\":\"$INSTITUTION_CODE\",\"login_id\":\"$1\",\"password\":\"$2\"}" \
        "$URL/api/v1/login"
}
per_login() { # label, then the command run LOGINS times with the index as $1
    local label=$1; shift
    local before after
    before=$(stats)
    for i in $(seq 1 "$LOGINS"); do "$@" "$i" >/dev/null; done
    after=$(stats)
    # The two stats queries themselves are transactions too: subtract them.
    awk -v b="$before" -v a="$after" -v n="$LOGINS" -v l="$label" 'BEGIN {
        split(b, x, " "); split(a, y, " ")
        printf "| %s | %.2f | %.2f | %.2f |\n", l, (y[1] - x[1] - 2) / n, (y[2] - x[2]) / n, (y[3] - x[3]) / n }'
}
right() { login "$(printf load%03d $(( $1 % USERS )))" "$LOAD_PASSWORD"; }
wrong() { login "nobody$1" 'Wrong#Pass1'; }
echo "| per request | transactions committed | rolled back | rows written |"
echo "|---|---|---|---|"
per_login "right password (\`POST /api/v1/login\` → passcode step)" right
per_login "wrong password, unknown identifier" wrong
