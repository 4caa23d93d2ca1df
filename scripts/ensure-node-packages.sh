#!/usr/bin/env bash
# Ensure the npm packages pinned in package.json (locked in package-lock.json)
# are installed in node_modules at the repository root:
#   - "dependencies": JavaScript the hub serves as static files
#     (tus-js-client, for resumable uploads and recording in the browser)
#   - "devDependencies": tools for the tests (axe-core)
# Skips npm entirely when every pinned version is already there.
#
# Usage: scripts/ensure-node-packages.sh [--for-run]
#        --for-run: for `make run`. Without Node.js and npm it tries to install
#        them from Debian (scripts/ensure-system-deps.sh); if that cannot be
#        done it says so and exits 1, and the hub still runs: its recording
#        pages say that recording in the browser is not available.
set -euo pipefail

log() { printf '[ensure-node-packages] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
cd "$REPO_ROOT"

FOR_RUN=0
if [[ "${1:-}" == "--for-run" ]]; then
    FOR_RUN=1
fi

[[ -f package.json ]] || die "package.json not found in $REPO_ROOT"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    if [[ "$FOR_RUN" == "1" ]]; then
        log "Node.js or npm is missing: trying to install them from Debian"
        bash "$SCRIPT_DIR/ensure-system-deps.sh" --only nodejs npm || true
    fi
    command -v node >/dev/null 2>&1 || die "node is not installed (need Node.js + npm; on Debian: apt-get install nodejs npm)"
    command -v npm >/dev/null 2>&1 || die "npm is not installed (on Debian: apt-get install npm)"
fi

# "name version" for every pinned package; each pin must be exact (package.json is the
# single source of truth, the lockfile pins what they pull in).
pins=$(node -e '
const p = require("./package.json");
const all = Object.assign({}, p.dependencies || {}, p.devDependencies || {});
for (const [name, version] of Object.entries(all)) console.log(name + " " + version);
')
[[ -n "$pins" ]] || die "package.json pins no packages"

missing=()
while read -r name version; do
    [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
        die "package.json must pin $name to an exact version (found '$version')"
    have=$(node -e 'try { process.stdout.write(require("./node_modules/" + process.argv[1] + "/package.json").version) } catch (e) {}' "$name" 2>/dev/null || true)
    [[ "$have" == "$version" ]] || missing+=("$name@$version${have:+ (have $have)}")
done <<< "$pins"

if [[ ${#missing[@]} -eq 0 ]]; then
    log "npm packages already installed ($(echo "$pins" | tr '\n' ' '| sed 's/ $//'))"
    exit 0
fi

NPM_OPTS=(--no-audit --no-fund --no-update-notifier --ignore-scripts --loglevel=error)
start=$SECONDS
if [[ -f package-lock.json ]]; then
    log "npm ci (${missing[*]}) ..."
    npm ci "${NPM_OPTS[@]}" >/dev/null
else
    log "no package-lock.json: npm install (${missing[*]}) ..."
    npm install "${NPM_OPTS[@]}" >/dev/null
fi

while read -r name version; do
    have=$(node -e 'try { process.stdout.write(require("./node_modules/" + process.argv[1] + "/package.json").version) } catch (e) {}' "$name" 2>/dev/null || true)
    [[ "$have" == "$version" ]] || die "after npm, node_modules/$name is '${have:-missing}', expected $version"
done <<< "$pins"
log "npm packages installed in $((SECONDS - start))s"
