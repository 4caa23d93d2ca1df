#!/usr/bin/env bash
# Ensure node_modules/axe-core (pinned exactly in package.json, locked in
# package-lock.json) is installed at the repository root for the
# accessibility tests. Skips npm entirely when the pinned version is present.
#
# Usage: scripts/ensure-axe.sh
#   Afterwards: node_modules/axe-core/axe.min.js
set -euo pipefail

log() { printf '[ensure-axe] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
cd "$REPO_ROOT"

[[ -f package.json ]] || die "package.json not found in $REPO_ROOT"
command -v node >/dev/null 2>&1 || die "node is not installed (need Node.js + npm; on Debian: apt-get install nodejs npm)"
command -v npm >/dev/null 2>&1 || die "npm is not installed (on Debian: apt-get install npm)"

# The wanted version is the exact pin in package.json (single source of truth).
wanted=$(node -e 'const v = require("./package.json").devDependencies["axe-core"] || ""; process.stdout.write(v)')
[[ "$wanted" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
    die "package.json must pin axe-core to an exact version (found '${wanted:-nothing}')"

installed_version() {
    [[ -f node_modules/axe-core/axe.min.js && -f node_modules/axe-core/package.json ]] || return 0
    node -e 'process.stdout.write(require("./node_modules/axe-core/package.json").version)' 2>/dev/null || true
}

have=$(installed_version)
if [[ "$have" == "$wanted" ]]; then
    log "axe-core $wanted already installed"
    exit 0
fi

NPM_OPTS=(--no-audit --no-fund --no-update-notifier --ignore-scripts --loglevel=error)
start=$SECONDS
if [[ -f package-lock.json ]]; then
    log "npm ci (axe-core $wanted${have:+, replacing $have}) ..."
    npm ci "${NPM_OPTS[@]}" >/dev/null
else
    log "no package-lock.json: npm install (axe-core $wanted) ..."
    npm install "${NPM_OPTS[@]}" >/dev/null
fi

have=$(installed_version)
[[ "$have" == "$wanted" ]] || die "after npm, node_modules/axe-core is '${have:-missing}', expected $wanted"
log "axe-core $wanted installed in $((SECONDS - start))s"
