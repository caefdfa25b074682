#!/usr/bin/env bash
# Reproducible, idempotent, version-pinned machine set-up for bisect-lens.
#
# Installs only what is missing; every step is skipped quickly when the tool is
# already present at the pinned version, so a warm machine finishes in seconds.
#
#   bash scripts/setup.sh          # from any directory
#
# Pinned tools:
#   - rustup target wasm32-unknown-unknown (+ rustfmt, clippy components)
#   - trunk                    TRUNK_VERSION (cargo install --locked)
#   - wasm-bindgen-cli         = the wasm-bindgen version in Cargo.lock
#                              (also provides wasm-bindgen-test-runner)
#   - binaryen (wasm-opt)      BINARYEN_VERSION, from npm, in the node tools dir
#   - playwright-core          PLAYWRIGHT_CORE_VERSION, from npm, same dir
#                              (never `playwright install`: no browser downloads)
#   - chromium, chromedriver   Debian packages
#   - PostgreSQL server        Debian package `postgresql` (binaries only; no
#                              service is started: tests run their own cluster)
#
# The node tools live OUTSIDE the repo, in
#   ${BISECT_LENS_TOOLS:-$HOME/.cache/bisect-lens/node}
# scripts/test.sh puts $BISECT_LENS_TOOLS/node_modules/.bin and ~/.cargo/bin on
# PATH itself; this script exports nothing persistent.
set -euo pipefail

TRUNK_VERSION="0.21.14"          # 0.22 needs a newer rustc than 1.95
BINARYEN_VERSION="132.0.0"       # Debian's binaryen / the wasm-opt crate are too old
PLAYWRIGHT_CORE_VERSION="1.65.1"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_TOOLS="${BISECT_LENS_TOOLS:-$HOME/.cache/bisect-lens/node}"
export PATH="$HOME/.cargo/bin:$PATH"

start_ts=$(date +%s)
log() { printf '[setup] %s\n' "$*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=0
apt_install() {
    if [ "$APT_UPDATED" -eq 0 ]; then
        log "apt-get update"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        APT_UPDATED=1
    fi
    log "apt-get install $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# --- 0. node/npm (needed for the npm tools; present on the rust machine) -----
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm
fi

# --- 1. rust target + components ---------------------------------------------
if rustup target list --installed | grep -qx 'wasm32-unknown-unknown'; then
    log "wasm32-unknown-unknown target: present"
else
    rustup target add wasm32-unknown-unknown
fi
installed_components="$(rustup component list --installed)"
for comp in rustfmt clippy; do
    if ! grep -q "^${comp}" <<<"$installed_components"; then
        rustup component add "$comp"
    fi
done

# --- 2. trunk -------------------------------------------------------------------
if trunk --version 2>/dev/null | grep -qw "$TRUNK_VERSION"; then
    log "trunk $TRUNK_VERSION: present"
else
    log "installing trunk $TRUNK_VERSION (cargo install, several minutes)"
    cargo install --locked trunk --version "$TRUNK_VERSION"
fi

# --- 3. wasm-bindgen-cli = wasm-bindgen in Cargo.lock -------------------------
WASM_BINDGEN_VERSION="$(awk '
    /^\[\[package\]\]/ { in_wb = 0 }
    /^name = "wasm-bindgen"$/ { in_wb = 1; next }
    in_wb && /^version = / { gsub(/^version = "|"$/, ""); print; exit }
' "$ROOT/Cargo.lock")"
if [ -z "$WASM_BINDGEN_VERSION" ]; then
    echo "[setup] error: no wasm-bindgen entry in $ROOT/Cargo.lock" >&2
    exit 1
fi
if wasm-bindgen --version 2>/dev/null | grep -qw "$WASM_BINDGEN_VERSION" \
    && command -v wasm-bindgen-test-runner >/dev/null 2>&1; then
    log "wasm-bindgen-cli $WASM_BINDGEN_VERSION: present"
else
    log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (cargo install, several minutes)"
    # Deliberately without --locked (its lockfile pins crates that clash here).
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# --- 4. node tools: binaryen (wasm-opt) + playwright-core ----------------------
node_tools_ok() {
    local wo="$NODE_TOOLS/node_modules/.bin/wasm-opt"
    local pj="$NODE_TOOLS/node_modules/playwright-core/package.json"
    [ -x "$wo" ] && [ -f "$pj" ] || return 1
    "$wo" --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}\b" || return 1
    grep -q "\"version\": \"$PLAYWRIGHT_CORE_VERSION\"" "$pj" || return 1
}
if node_tools_ok; then
    log "node tools (binaryen $BINARYEN_VERSION, playwright-core $PLAYWRIGHT_CORE_VERSION): present"
else
    log "installing node tools into $NODE_TOOLS"
    mkdir -p "$NODE_TOOLS"
    # A package.json of our own keeps npm from walking up to some other project.
    [ -f "$NODE_TOOLS/package.json" ] \
        || printf '{ "name": "bisect-lens-tools", "private": true }\n' >"$NODE_TOOLS/package.json"
    npm install --prefix "$NODE_TOOLS" --no-audit --no-fund --save-exact \
        "binaryen@$BINARYEN_VERSION" "playwright-core@$PLAYWRIGHT_CORE_VERSION"
    node_tools_ok || { echo "[setup] error: node tools not usable after install" >&2; exit 1; }
fi

# --- 5./6. Debian packages: chromium + chromedriver, PostgreSQL ----------------
apt_pkgs=()
# fonts-liberation (a Recommends of chromium) gives pages the same metric-
# compatible fonts on every machine, so browser tests render deterministically.
LIBERATION_FONT=/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || [ ! -f "$LIBERATION_FONT" ]; then
    apt_pkgs+=(chromium chromium-driver fonts-liberation)
else
    log "chromium + chromedriver + fonts-liberation: present"
fi
pg_bin_dir() {  # highest-versioned /usr/lib/postgresql/<ver>/bin with pg_ctl + initdb
    local d
    for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
        if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then printf '%s' "$d"; return 0; fi
    done
}
if [ -n "$(pg_bin_dir)" ]; then
    log "PostgreSQL server binaries: present ($(pg_bin_dir))"
    PG_NEEDED=0
else
    apt_pkgs+=(postgresql)
    PG_NEEDED=1
fi
if [ "${#apt_pkgs[@]}" -gt 0 ]; then
    # Keep the postgresql package from starting a system service: the server
    # tests start their own throw-away cluster in a temp dir.
    created_policy=0
    if [ "$PG_NEEDED" -eq 1 ] && [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
        as_root chmod +x /usr/sbin/policy-rc.d
        created_policy=1
    fi
    apt_install "${apt_pkgs[@]}"
    if [ "$created_policy" -eq 1 ]; then as_root rm -f /usr/sbin/policy-rc.d; fi
fi

# --- 7. versions ------------------------------------------------------------------
# stdout only: Debian's chromium wrapper prints a harmless shell warning on stderr
first_line() { { "$@" 2>/dev/null || true; } | head -n1; }
echo "---- bisect-lens tools ----"
echo "rustc:                    $(first_line rustc --version)"
echo "cargo:                    $(first_line cargo --version)"
echo "wasm32-unknown-unknown:   $(rustup target list --installed | grep -x wasm32-unknown-unknown || echo MISSING)"
echo "trunk:                    $(first_line trunk --version)"
echo "wasm-bindgen:             $(first_line wasm-bindgen --version)"
echo "wasm-bindgen-test-runner: $(first_line wasm-bindgen-test-runner --version)"
echo "wasm-opt:                 $(first_line "$NODE_TOOLS/node_modules/.bin/wasm-opt" --version)"
echo "playwright-core:          $(node -p "require('$NODE_TOOLS/node_modules/playwright-core/package.json').version" 2>/dev/null || echo MISSING)"
echo "node:                     $(first_line node --version)"
echo "chromium:                 $(first_line /usr/bin/chromium --version)"
echo "chromedriver:             $(first_line /usr/bin/chromedriver --version)"
echo "postgres:                 $(first_line "$(pg_bin_dir)/postgres" --version) [$(pg_bin_dir)]"
echo "setup finished in $(( $(date +%s) - start_ts ))s"
