#!/usr/bin/env bash
# THE test command of bisect-lens:   bash scripts/test.sh   (from any directory)
#
# Runs scripts/setup.sh (fast when the machine is warm), then, failing fast:
#   a. cargo fmt --check
#   b. cargo clippy (native, whole workspace incl. the Yew app; plus the Yew
#      app for wasm32, viewer and `full` builds, where its browser-only code is)
#   c. cargo test of the native crates (bisect-log, cli, server when present)
#   d. bisect-log builds for wasm32-unknown-unknown
#   e. trunk build --release --offline  -> dist/   (wasm-opt from npm binaryen)
#   f. wasm-bindgen-test component tests in headless Chromium   (if tests/*.rs)
#   g. node --test end-to-end tests with playwright-core         (if tests/e2e/package.json;
#      the debug bisect-server binary is built first for the jobs and share tests)
#
# Environment provided to the tests:
#   BISECT_LENS_PG_BIN   /usr/lib/postgresql/<ver>/bin (server tests start their
#                        own throw-away PostgreSQL cluster with it)
#   BISECT_LENS_DIST     absolute path of the trunk output dir (e2e tests)
#   BISECT_LENS_CHROMIUM /usr/bin/chromium (e2e tests: playwright executablePath)
#   NODE_PATH            the node tools' node_modules (require('playwright-core'))
#   BISECT_LENS_SERVER_BIN the debug bisect-server binary (e2e jobs and share tests)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

NODE_TOOLS="${BISECT_LENS_TOOLS:-$HOME/.cache/bisect-lens/node}"
export BISECT_LENS_TOOLS="$NODE_TOOLS"

total_start=$(date +%s)
stage_start=0
stage_name=""
stage() {
    stage_name="$1"
    stage_start=$(date +%s)
    printf '\n==================== [%s] ====================\n' "$stage_name"
}
stage_done() {
    printf -- '---- [%s] ok in %ss\n' "$stage_name" "$(( $(date +%s) - stage_start ))"
}
on_exit() {
    local rc=$?
    if [ "$rc" -ne 0 ] && [ -n "$stage_name" ]; then
        printf -- '\n---- [%s] FAILED (exit %s) after %ss\n' \
            "$stage_name" "$rc" "$(( $(date +%s) - stage_start ))" >&2
    fi
}
trap on_exit EXIT

# ---- set-up --------------------------------------------------------------------
stage "setup: scripts/setup.sh"
bash "$ROOT/scripts/setup.sh"
stage_done

export PATH="$NODE_TOOLS/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# h. PostgreSQL binaries for the server tests (they start their own cluster).
pg_bin=""
for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
    if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then pg_bin="$d"; break; fi
done
if [ -n "$pg_bin" ]; then
    export BISECT_LENS_PG_BIN="$pg_bin"
    echo "BISECT_LENS_PG_BIN=$BISECT_LENS_PG_BIN"
elif [ -d "$ROOT/crates/server" ]; then
    echo "error: crates/server exists but no PostgreSQL binaries under /usr/lib/postgresql" >&2
    exit 1
fi

# ---- a. formatting -------------------------------------------------------------
stage "a. cargo fmt --all --check"
cargo fmt --all --check
stage_done

# ---- b. lints --------------------------------------------------------------------
stage "b. cargo clippy --workspace --all-targets (native)"
cargo clippy --workspace --all-targets -- -D warnings
stage_done

stage "b. cargo clippy -p bisect-lens --all-targets (wasm32; viewer, then full build)"
cargo clippy -p bisect-lens --all-targets --target wasm32-unknown-unknown -- -D warnings
cargo clippy -p bisect-lens --all-targets --features full --target wasm32-unknown-unknown -- -D warnings
stage_done

# ---- c. native tests ---------------------------------------------------------------
stage "c. cargo test --workspace --exclude bisect-lens"
cargo test --workspace --exclude bisect-lens
stage_done

# ---- d. shared crate for wasm ------------------------------------------------------
stage "d. cargo build -p bisect-log --target wasm32-unknown-unknown --release"
cargo build -p bisect-log --target wasm32-unknown-unknown --release
stage_done

# ---- e. the web app --------------------------------------------------------------------
stage "e. trunk build --release --offline"
# Trunk runs `cargo build --target wasm32 --manifest-path Cargo.toml` with no -p,
# so cargo picks from the workspace's default members: the root (Yew) package
# must be one of them, and without data-bin="bisect-lens" on index.html's rust
# link ALL of them are built for wasm32 (crates/server cannot be).
HAS_DATA_BIN=0
grep -q 'data-bin=' "$ROOT/index.html" 2>/dev/null && HAS_DATA_BIN=1
cargo metadata --no-deps --format-version 1 --offline | HAS_DATA_BIN=$HAS_DATA_BIN node -e '
    const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const root = m.packages.find((p) => p.name === "bisect-lens");
    const dflt = m.workspace_default_members || [];
    if (root && !dflt.includes(root.id)) {
        console.error("error: trunk builds the workspace default-members, and the root package " +
            "bisect-lens is not one of them; set default-members = [\".\"] in Cargo.toml");
        process.exit(1);
    }
    const others = m.packages.filter((p) => dflt.includes(p.id) && p !== root).map((p) => p.name);
    if (others.length && process.env.HAS_DATA_BIN !== "1") {
        console.error("note: trunk will also build " + others.join(", ") + " for wasm32 (they are " +
            "default-members and index.html has no data-bin); if that fails, add " +
            "data-bin=\"bisect-lens\" to the rust link or set default-members = [\".\"]");
    }'
trunk build --release --offline
for f in dist/*.wasm dist/*.js; do
    [ -e "$f" ] || { echo "error: trunk produced no $f" >&2; exit 1; }
done
bash "$ROOT/scripts/bundle-size.sh" "$ROOT/dist"
stage_done

# ---- f. wasm-bindgen-test component tests (headless Chromium) ----------------------
if compgen -G "$ROOT/tests/*.rs" >/dev/null; then
    stage "f. cargo test -p bisect-lens --target wasm32-unknown-unknown (headless Chromium)"
    # wasm-bindgen-test-runner reads webdriver.json from the cwd (= repo root).
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
        CHROMEDRIVER=/usr/bin/chromedriver \
        cargo test -p bisect-lens --target wasm32-unknown-unknown
    stage_done
else
    echo
    echo "---- [f. wasm-bindgen-test] skipped: no tests/*.rs in the root crate"
fi

# ---- g. end-to-end tests (node --test + playwright-core + Debian chromium) --------------
if [ -f "$ROOT/tests/e2e/package.json" ]; then
    if [ -d "$ROOT/crates/server" ]; then
        stage "g. cargo build -p bisect-server --bin bisect-server (for the e2e jobs and share tests)"
        cargo build -p bisect-server --bin bisect-server
        stage_done
    fi
    stage "g. node --test tests/e2e/"
    # jobs.test.mjs and share.test.mjs run the server binary built above.
    target_dir="$(cargo metadata --no-deps --format-version 1 --offline |
        node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8")).target_directory)')"
    NODE_PATH="$NODE_TOOLS/node_modules${NODE_PATH:+:$NODE_PATH}" \
        BISECT_LENS_SERVER_BIN="$target_dir/debug/bisect-server" \
        BISECT_LENS_DIST="$ROOT/dist" \
        BISECT_LENS_CHROMIUM=/usr/bin/chromium \
        node --test tests/e2e/
    stage_done
else
    echo
    echo "---- [g. e2e] skipped: no tests/e2e/package.json"
fi

stage_name=""
printf '\n==================== all stages passed in %ss ====================\n' \
    "$(( $(date +%s) - total_start ))"
