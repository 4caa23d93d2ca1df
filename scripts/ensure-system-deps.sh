#!/usr/bin/env bash
# Ensure the Debian packages the cohub test suite needs are installed:
#   - PostgreSQL server binaries (scripts/pg-temp-server.sh runs a throwaway server)
#   - Chromium + fonts for headless browser / accessibility tests
#   - ffmpeg (recordings) and espeak-ng (synthetic speech for tests and bench/)
#   - Pango/HarfBuzz for WeasyPrint (findings report PDF, docs/adr/0031) and
#     poppler-utils (pdftotext reads the PDFs back in the tests)
#
# Only calls apt-get (and apt-get update) when something is missing.
# Works as root; as non-root uses sudo when available; otherwise prints what to
# install and exits 1.
#
# Usage: scripts/ensure-system-deps.sh [--for-run | --only] [EXTRA_DEBIAN_PACKAGE...]
#        --for-run: only what the hub itself needs (ffmpeg), for `make run`
#        --only:    only the packages named (scripts/ensure-node-packages.sh
#                   asks for nodejs and npm this way)
# Env:   COHUB_SKIP_SYSTEM_DEPS=1  skip everything (e.g. non-Debian dev machines
#                                  that provide postgres/chromium another way)
set -euo pipefail

log() { printf '[ensure-system-deps] %s\n' "$*" >&2; }

if [[ "${COHUB_SKIP_SYSTEM_DEPS:-0}" == "1" ]]; then
    log "COHUB_SKIP_SYSTEM_DEPS=1: skipping system package checks"
    exit 0
fi

FOR_RUN=0
ONLY=0
if [[ "${1:-}" == "--for-run" ]]; then
    FOR_RUN=1
    shift
elif [[ "${1:-}" == "--only" ]]; then
    ONLY=1
    shift
fi

# Packages installed with --no-install-recommends, so list what chromium
# would otherwise only "recommend" (fonts) explicitly.
PACKAGES=(
    postgresql          # server + client (initdb, pg_ctl, pg_isready, psql)
    chromium            # headless browser for UI / a11y tests
    fonts-liberation    # metric-compatible Arial/Times/Courier so pages render
    fonts-dejavu-core   # broad glyph coverage fallback font
    ffmpeg              # probes and cuts recordings (media uploads, clips)
    espeak-ng           # speaks the test and benchmark recordings
    libpango-1.0-0      # WeasyPrint lays out text with Pango (report PDFs)
    libpangoft2-1.0-0   # ... and finds the system fonts through fontconfig
    libharfbuzz-subset0 # WeasyPrint embeds only the glyphs a PDF uses
    poppler-utils       # pdftotext: the tests read the report PDFs back
    nodejs              # runs npm, which installs tus-js-client and axe-core
    npm
    "$@"
)

# The hub itself needs ffmpeg (it checks and reads recordings with it) and
# Pango for WeasyPrint (report PDFs).
if [[ "$FOR_RUN" == "1" ]]; then
    PACKAGES=(ffmpeg libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation "$@")
elif [[ "$ONLY" == "1" ]]; then
    PACKAGES=("$@")
fi

pkg_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

have_postgres_server() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]] && return 0
    done
    return 1
}

is_satisfied() {
    case "$1" in
        postgresql) have_postgres_server && command -v psql >/dev/null 2>&1 && command -v pg_isready >/dev/null 2>&1 ;;
        chromium) pkg_installed chromium || command -v chromium >/dev/null 2>&1 ;;
        ffmpeg) command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 ;;
        nodejs) command -v node >/dev/null 2>&1 ;;
        npm) command -v npm >/dev/null 2>&1 ;;
        *) pkg_installed "$1" ;;
    esac
}

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    log "ERROR: this script supports Debian/Ubuntu (dpkg/apt-get) only."
    log "Install manually: ${PACKAGES[*]}  (or set COHUB_SKIP_SYSTEM_DEPS=1)"
    exit 1
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
    if ! is_satisfied "$pkg"; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    log "all system packages present (${PACKAGES[*]})"
    exit 0
fi

log "missing system packages: ${missing[*]}"

# Decide how to get root.
SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [[ -t 0 ]]; }; then
        SUDO=(sudo)
        log "not root: using sudo"
    else
        log "ERROR: not root and no usable sudo. Please run as root:"
        log "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
        exit 1
    fi
fi

as_root() { "${SUDO[@]}" "$@"; }

# Don't let the Debian postgresql package create (and possibly start) a
# system-wide "main" cluster on port 5432: tests use a throwaway server.
# Only done on first install (postgresql-common not yet installed).
if [[ " ${missing[*]} " == *" postgresql "* ]] && ! pkg_installed postgresql-common; then
    log "disabling creation of the default 'main' PostgreSQL cluster"
    as_root mkdir -p /etc/postgresql-common/createcluster.d
    printf '# written by cohub scripts/ensure-system-deps.sh\ncreate_main_cluster = false\n' \
        | as_root tee /etc/postgresql-common/createcluster.d/cohub-no-main-cluster.conf >/dev/null
fi

APT_OPTS=(-y -q -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0)

start=$SECONDS
log "apt-get update ..."
if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" update >/dev/null; then
    log "WARNING: apt-get update reported errors; trying to install anyway"
fi

log "apt-get install ${missing[*]} ..."
aptlog=$(mktemp)
trap 'rm -f "$aptlog"' EXIT
if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" \
        install --no-install-recommends "${missing[@]}" >"$aptlog" 2>&1; then
    tail -n 40 "$aptlog" >&2
    log "ERROR: apt-get install failed"
    exit 1
fi

still_missing=()
for pkg in "${missing[@]}"; do
    is_satisfied "$pkg" || still_missing+=("$pkg")
done
if [[ ${#still_missing[@]} -gt 0 ]]; then
    tail -n 40 "$aptlog" >&2
    log "ERROR: still missing after install: ${still_missing[*]}"
    exit 1
fi

if command -v chromium >/dev/null 2>&1; then
    log "$(chromium --version 2>/dev/null || echo 'chromium --version failed')"
fi
log "installed ${missing[*]} in $((SECONDS - start))s"
