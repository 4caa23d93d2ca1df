#!/usr/bin/env bash
# Throwaway PostgreSQL server for the test suite.
#
#   scripts/pg-temp-server.sh start   # prints postgres://cohub@127.0.0.1:PORT/cohub on stdout
#   scripts/pg-temp-server.sh stop    # stops it and deletes its directory
#   scripts/pg-temp-server.sh status  # exit 0 if running (prints URL), 1 otherwise
#   scripts/pg-temp-server.sh url     # print the URL of the running server
#
# The server listens on 127.0.0.1 on a free port (plus a unix socket inside its
# temp dir), uses trust auth (loopback only, throwaway data), and runs with
# fsync/synchronous_commit/full_page_writes off. Database "cohub" is owned by
# the superuser "cohub" (superuser so Django can create test_cohub).
#
# PostgreSQL refuses to run as root: when run as root, the server runs as the
# "postgres" system user (created by the Debian package) or, failing that, a
# "cohubtest" system user created on demand, via runuser.
#
# Env:
#   COHUB_PGTEST_STATE      state file (default: <repo>/var/pgtest/state)
#   COHUB_PGTEST_DIR        directory for the cluster (default: mktemp -d).
#                           Must be empty/nonexistent; removed again on stop.
#   COHUB_PGTEST_OWNER_PID  pid of the process owning this server (used by
#                           scripts/with-postgres.sh); servers whose owner has
#                           died are cleaned up by the next "start".
#   COHUB_PG_BINDIR         PostgreSQL bin dir (default: highest
#                           /usr/lib/postgresql/*/bin, else from PATH)
set -euo pipefail

log() { printf '[pg-temp-server] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
STATE_FILE=${COHUB_PGTEST_STATE:-$REPO_ROOT/var/pgtest/state}
MARKER=.cohub-pgtest
DB_NAME=cohub
DB_USER=cohub
READY_TIMEOUT=30

# Don't let the caller's libpq environment redirect our own client calls.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGPASSWORD PGSERVICE \
    PGSERVICEFILE PGOPTIONS PGSSLMODE PGDATA PGPASSFILE

find_bindir() {
    if [[ -n "${COHUB_PG_BINDIR:-}" ]]; then
        [[ -x "$COHUB_PG_BINDIR/initdb" ]] || die "COHUB_PG_BINDIR=$COHUB_PG_BINDIR has no initdb"
        printf '%s\n' "$COHUB_PG_BINDIR"
        return
    fi
    local d best="" bestver=-1 ver
    for d in /usr/lib/postgresql/*/bin; do
        [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]] || continue
        ver=$(basename -- "$(dirname -- "$d")")
        [[ "$ver" =~ ^[0-9]+$ ]] || continue
        if ((ver > bestver)); then
            bestver=$ver
            best=$d
        fi
    done
    if [[ -z "$best" ]] && command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        best=$(dirname -- "$(command -v initdb)")
    fi
    [[ -n "$best" ]] || die "PostgreSQL server binaries not found (run scripts/ensure-system-deps.sh)"
    printf '%s\n' "$best"
}

# Which user runs the server: ourselves unless we are root.
pick_run_as() {
    if [[ "$(id -u)" -ne 0 ]]; then
        id -un
        return
    fi
    if id -u postgres >/dev/null 2>&1; then
        echo postgres
        return
    fi
    if ! id -u cohubtest >/dev/null 2>&1; then
        log "creating system user cohubtest to run PostgreSQL"
        useradd --system --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin cohubtest >/dev/null
    fi
    echo cohubtest
}

# Run a command as the server user (cwd "/" so it never trips over an
# unreadable cwd such as /root/...).
as_pg() {
    local user=$1
    shift
    if [[ "$user" == "$(id -un)" ]]; then
        (cd / && "$@")
    else
        (cd / && runuser -u "$user" -- "$@")
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

pick_locale() {
    if locale -a 2>/dev/null | grep -qixE 'c\.utf-?8'; then
        echo "--locale=C.UTF-8"
    else
        echo "--no-locale"
    fi
}

# State file: KEY=VALUE lines (DIR, PORT, RUN_AS, BINDIR, PID, OWNER_PID).
declare -A ST=()
read_state() {
    local file=$1 k v
    ST=()
    [[ -f "$file" ]] || return 1
    while IFS='=' read -r k v; do
        [[ -n "$k" ]] && ST[$k]=$v
    done <"$file"
    return 0
}

url_for_port() { printf 'postgres://%s@127.0.0.1:%s/%s\n' "$DB_USER" "$1" "$DB_NAME"; }

# True if $1 is the pid of a live postmaster serving data dir $2.
is_our_postmaster() {
    local pid=$1 data=$2 cmdline
    [[ "$pid" =~ ^[0-9]+$ && -n "$data" ]] || return 1
    cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ "$cmdline" == *postgres* && "$cmdline" == *"$data"* ]]
}

# Stop the server described by state file $1 and remove its directory.
stop_instance() {
    local file=$1 dir data pid user bindir i
    read_state "$file" || return 0
    dir=${ST[DIR]:-}
    user=${ST[RUN_AS]:-}
    bindir=${ST[BINDIR]:-}
    data=$dir/data
    pid=${ST[PID]:-}
    if [[ -n "$dir" && -f "$data/postmaster.pid" ]]; then
        pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || echo "$pid")
    fi
    if is_our_postmaster "$pid" "$data"; then
        log "stopping server pid $pid (port ${ST[PORT]:-?})"
        if [[ -n "$dir" && -d "$data" && -x "$bindir/pg_ctl" && -n "$user" ]]; then
            as_pg "$user" "$bindir/pg_ctl" stop -D "$data" -m fast -w -t 15 >/dev/null 2>&1 ||
                as_pg "$user" "$bindir/pg_ctl" stop -D "$data" -m immediate -w -t 10 >/dev/null 2>&1 || true
        fi
        if is_our_postmaster "$pid" "$data"; then
            kill -TERM "$pid" 2>/dev/null || true
            for ((i = 0; i < 50; i++)); do
                is_our_postmaster "$pid" "$data" || break
                sleep 0.1
            done
            is_our_postmaster "$pid" "$data" && kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    if [[ -n "$dir" && -d "$dir" ]]; then
        if [[ -f "$dir/$MARKER" ]]; then
            rm -rf -- "$dir"
        else
            log "WARNING: not removing $dir (no $MARKER marker)"
        fi
    fi
    rm -f -- "$file"
}

# Clean up servers started by with-postgres.sh whose owner process is gone.
sweep_orphans() {
    local f owner
    for f in "$(dirname -- "$STATE_FILE")"/*.state; do
        [[ -f "$f" && "$f" != "$STATE_FILE" ]] || continue
        read_state "$f" || continue
        owner=${ST[OWNER_PID]:-}
        if [[ "$owner" =~ ^[0-9]+$ ]] && [[ ! -d "/proc/$owner" ]]; then
            log "cleaning up orphaned server from $f (owner pid $owner is gone)"
            stop_instance "$f"
        fi
    done
}

cmd_start() {
    local bindir user dir data port attempt started=0 t0=$SECONDS logf

    if [[ -f "$STATE_FILE" ]]; then
        log "found previous server state in $STATE_FILE; stopping it first"
        stop_instance "$STATE_FILE"
    fi
    mkdir -p -- "$(dirname -- "$STATE_FILE")"
    sweep_orphans

    bindir=$(find_bindir)
    user=$(pick_run_as)

    if [[ -n "${COHUB_PGTEST_DIR:-}" ]]; then
        dir=$COHUB_PGTEST_DIR
        if [[ -e "$dir" && -n "$(ls -A -- "$dir" 2>/dev/null)" ]]; then
            if [[ -f "$dir/$MARKER" ]]; then
                rm -rf -- "$dir"
            else
                die "COHUB_PGTEST_DIR=$dir exists and is not empty"
            fi
        fi
        mkdir -p -- "$dir"
        dir=$(cd -- "$dir" && pwd)
    else
        dir=$(mktemp -d "${TMPDIR:-/tmp}/cohub-pgtest.XXXXXX")
    fi
    : >"$dir/$MARKER"
    data=$dir/data
    logf=$dir/postgres.log

    # Record state early so "stop" can clean up even if startup fails.
    write_state() {
        {
            printf 'DIR=%s\n' "$dir"
            printf 'PORT=%s\n' "${port:-}"
            printf 'RUN_AS=%s\n' "$user"
            printf 'BINDIR=%s\n' "$bindir"
            printf 'PID=%s\n' "${1:-}"
            printf 'OWNER_PID=%s\n' "${COHUB_PGTEST_OWNER_PID:-}"
        } >"$STATE_FILE.tmp"
        mv -f -- "$STATE_FILE.tmp" "$STATE_FILE"
    }
    write_state ""

    if [[ "$user" != "$(id -un)" ]]; then
        chown "$user": "$dir"
        chmod 0700 "$dir"
        if ! as_pg "$user" test -w "$dir"; then
            stop_instance "$STATE_FILE"
            die "user $user cannot write $dir (parent directory permissions?); set COHUB_PGTEST_DIR or TMPDIR"
        fi
    fi

    log "initdb ($bindir, user $user) in $dir"
    # shellcheck disable=SC2046 # pick_locale yields a single word
    if ! as_pg "$user" "$bindir/initdb" -D "$data" -U "$DB_USER" -A trust -E UTF8 \
            $(pick_locale) --no-sync --no-instructions >"$dir/initdb.log" 2>&1; then
        tail -n 30 "$dir/initdb.log" >&2
        stop_instance "$STATE_FILE"
        die "initdb failed"
    fi

    cat >>"$data/postgresql.conf" <<CONF

# --- cohub throwaway test server (scripts/pg-temp-server.sh) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
max_wal_size = 1GB
checkpoint_timeout = 30min
jit = off
max_connections = 200
logging_collector = off
log_min_messages = warning
log_statement = 'none'
CONF

    for attempt in 1 2 3; do
        port=$(free_port)
        sed -i '/^port = /d' "$data/postgresql.conf"
        printf 'port = %s\n' "$port" >>"$data/postgresql.conf"
        write_state ""
        if as_pg "$user" "$bindir/pg_ctl" start -D "$data" -l "$logf" -w -t "$READY_TIMEOUT" >"$dir/pg_ctl.log" 2>&1; then
            started=1
            break
        fi
        log "server failed to start on port $port (attempt $attempt)"
        as_pg "$user" "$bindir/pg_ctl" stop -D "$data" -m immediate -w -t 5 >/dev/null 2>&1 || true
        if ! grep -qiE 'could not (bind|create listen)|address already in use' "$logf" 2>/dev/null; then
            break
        fi
    done

    local ready=0 deadline=$((SECONDS + READY_TIMEOUT))
    if ((started)); then
        while ((SECONDS < deadline)); do
            if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U "$DB_USER" -d postgres -t 2; then
                ready=1
                break
            fi
            sleep 0.2
        done
    fi
    if ((!ready)); then
        if ((started)); then
            log "server did not become ready within ${READY_TIMEOUT}s"
        else
            log "pg_ctl start failed:"
            cat "$dir/pg_ctl.log" >&2 2>/dev/null || true
        fi
        log "server log tail ($logf):"
        tail -n 40 "$logf" >&2 2>/dev/null || true
        stop_instance "$STATE_FILE"
        die "could not start PostgreSQL"
    fi

    write_state "$(head -n 1 "$data/postmaster.pid")"

    if ! "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$DB_USER" -d postgres \
            -c "CREATE DATABASE $DB_NAME OWNER $DB_USER" >/dev/null 2>"$dir/createdb.log"; then
        cat "$dir/createdb.log" >&2
        stop_instance "$STATE_FILE"
        die "could not create database $DB_NAME"
    fi

    log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') ready on 127.0.0.1:$port in $((SECONDS - t0))s (dir $dir)"
    url_for_port "$port"
}

cmd_stop() {
    if [[ ! -f "$STATE_FILE" ]]; then
        log "no server state at $STATE_FILE; nothing to stop"
        return 0
    fi
    stop_instance "$STATE_FILE"
    log "stopped"
}

cmd_status() {
    local pid
    read_state "$STATE_FILE" || { log "not running (no state file)"; return 1; }
    pid=$(head -n 1 "${ST[DIR]}/data/postmaster.pid" 2>/dev/null || echo "${ST[PID]:-}")
    if is_our_postmaster "$pid" "${ST[DIR]}/data"; then
        url_for_port "${ST[PORT]}"
        log "running: pid $pid, dir ${ST[DIR]}"
        return 0
    fi
    log "not running (stale state in $STATE_FILE)"
    return 1
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    url) cmd_status 2>/dev/null || die "not running" ;;
    *)
        echo "usage: $0 start|stop|status|url" >&2
        exit 2
        ;;
esac
