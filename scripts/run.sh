#!/usr/bin/env bash
# THE run command of bisect-lens:   bash scripts/run.sh   (from any directory)
#
# Installs what is missing (scripts/setup.sh), builds the viewer (trunk, release)
# and the server, and starts bisect-server on an embedded SQLite database in
# ./data/, serving the viewer with sample logs preloaded:
#   - the two seed logs bundled with the viewer (static/samples/)
#   - the fixture logs of the shared crate (crates/bisect-log/tests/fixtures/real/)
#
# Environment:
#   LISTEN             address to listen on (default 127.0.0.1:8080)
#   BISECT_LENS_TOKEN  enables job submission (POST /api/jobs); unset = jobs refused
#   REPOS_ROOT         where job repositories live (default ./repos)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash "$ROOT/scripts/setup.sh"
NODE_TOOLS="${BISECT_LENS_TOOLS:-$HOME/.cache/bisect-lens/node}"
export PATH="$NODE_TOOLS/node_modules/.bin:$HOME/.cargo/bin:$PATH"

echo "[run] building the viewer (trunk build --release --offline)"
trunk build --release --offline
echo "[run] building the server"
cargo build --release --bin bisect-server --bin bisect-log

LISTEN="${LISTEN:-127.0.0.1:8080}"
REPOS_ROOT="${REPOS_ROOT:-$ROOT/repos}"
mkdir -p "$ROOT/data" "$REPOS_ROOT"

preload=()
for dir in "$ROOT/static/samples" "$ROOT/crates/bisect-log/tests/fixtures/real"; do
    [ -d "$dir" ] && preload+=(--preload "$dir")
done

echo "[run] bisect-lens on http://$LISTEN/  (Ctrl+C to stop)"
exec "${CARGO_TARGET_DIR:-$ROOT/target}/release/bisect-server" \
    --listen "$LISTEN" \
    --database "sqlite://$ROOT/data/bisect-lens.db" \
    --dist "$ROOT/dist" \
    --repos-root "$REPOS_ROOT" \
    "${preload[@]}"
