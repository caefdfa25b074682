#!/usr/bin/env bash
# Prints the download sizes of the trunk output (default dist/), gzip -9,
# against the budget (300 KB = 300,000 bytes):
# - the viewer: what a log link and the start page download
#   (the viewer's wasm and glue, worker.js, sw.js, index.html's scripts);
# - the full build, which only /library, /new, /jobs/<id> and ?log=A&compare=B load
#   instead of the viewer's wasm and glue (index.html picks one).
# Run after `trunk build --release --offline`; scripts/test.sh prints it.
set -euo pipefail
DIST="${1:-$(cd "$(dirname "$0")/.." && pwd)/dist}"
BUDGET_KB="${BISECT_LENS_BUNDLE_BUDGET_KB:-300}"
shopt -s nullglob
files=("$DIST"/*.wasm "$DIST"/*.js)
if [ ${#files[@]} -eq 0 ]; then
    echo "bundle-size: no .wasm or .js in $DIST (run trunk build --release first)" >&2
    exit 1
fi
viewer=0
full=0
shared=0
printf '%-48s %10s %10s\n' "bundle (release, wasm-opt)" "bytes" "gzip -9"
for f in "${files[@]}"; do
    raw=$(stat -c %s "$f")
    gz=$(gzip -9 -c "$f" | wc -c)
    case "$(basename "$f")" in
        bisect-lens-full*) full=$((full + gz)) ;;
        bisect-lens*) viewer=$((viewer + gz)) ;;
        *) shared=$((shared + gz)) ;;
    esac
    printf '%-48s %10d %10d  (%s KB)\n' "$(basename "$f")" "$raw" "$gz" "$(awk -v n="$gz" 'BEGIN { printf "%.1f", n / 1000 }')"
done
# index.html's own scripts (the loader) come with every page.
if [ -f "$DIST/index.html" ]; then
    scripts=$(mktemp)
    perl -0777 -ne 'print $1 while /<script>(.*?)<\/script>/gs' "$DIST/index.html" > "$scripts"
    inline_raw=$(wc -c < "$scripts")
    inline=$(gzip -9 -c "$scripts" | wc -c)
    rm -f "$scripts"
    shared=$((shared + inline))
    printf '%-48s %10d %10d  (%s KB)\n' "index.html <script>s" "$inline_raw" "$inline" "$(awk -v n="$inline" 'BEGIN { printf "%.1f", n / 1000 }')"
fi
kb() { awk -v n="$1" 'BEGIN { printf "%.1f", n / 1000 }'; }
echo "viewer (log links, start page): $(kb $((viewer + shared))) KB gzip (budget $BUDGET_KB KB)"
if [ "$full" -gt 0 ]; then
    echo "full build (library, compare, new bisection, jobs): $(kb $((full + shared))) KB gzip"
fi
# A warning, not a failure: the figure is a target (README, "Figures").
if [ $((viewer + shared)) -gt $((BUDGET_KB * 1000)) ]; then
    echo "warning: the viewer's bundle is over the $BUDGET_KB KB budget" >&2
fi
