#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server.
#
#   scripts/with-postgres.sh CMD [ARGS...]
#
# Starts scripts/pg-temp-server.sh, exports COHUB_DATABASE_URL=<url> for CMD,
# runs CMD, always stops the server afterwards and exits with CMD's status.
# If COHUB_TEST_DATABASE_URL is set, that database is used instead and no
# server is started.
set -euo pipefail

log() { printf '[with-postgres] %s\n' "$*" >&2; }

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

if [[ -n "${COHUB_TEST_DATABASE_URL:-}" ]]; then
    log "using COHUB_TEST_DATABASE_URL (no temporary server started)"
    export COHUB_DATABASE_URL=$COHUB_TEST_DATABASE_URL
    exec "$@"
fi

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)

# A state file of our own, so concurrent runs in one checkout don't clash;
# if this process is SIGKILLed, the next start cleans up after us.
STATE_FILE="$REPO_ROOT/var/pgtest/with-postgres.$$.state"

# shellcheck disable=SC2329 # invoked via trap
cleanup() {
    COHUB_PGTEST_STATE=$STATE_FILE "$SCRIPT_DIR/pg-temp-server.sh" stop || true
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

url=$(COHUB_PGTEST_STATE=$STATE_FILE COHUB_PGTEST_OWNER_PID=$$ "$SCRIPT_DIR/pg-temp-server.sh" start)
export COHUB_DATABASE_URL=$url

rc=0
"$@" || rc=$?
exit "$rc"
