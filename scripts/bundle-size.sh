#!/usr/bin/env bash
# Prints the viewer bundle's download size: each wasm and JS file of the
# trunk output (default dist/) and the total, gzip -9, against the budget.
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
total=0
printf '%-48s %10s %10s\n' "bundle (release, wasm-opt)" "bytes" "gzip -9"
for f in "${files[@]}"; do
    raw=$(stat -c %s "$f")
    gz=$(gzip -9 -c "$f" | wc -c)
    total=$((total + gz))
    printf '%-48s %10d %10d  (%s KB)\n' "$(basename "$f")" "$raw" "$gz" "$(awk -v n="$gz" 'BEGIN { printf "%.1f", n / 1024 }')"
done
kb=$(awk -v n="$total" 'BEGIN { printf "%.1f", n / 1024 }')
echo "total wasm + js: $kb KB gzip (budget $BUDGET_KB KB)"
# A warning, not a failure: the figure is a target (README, "Figures").
if awk -v t="$total" -v b="$BUDGET_KB" 'BEGIN { exit !(t > b * 1024) }'; then
    echo "warning: the bundle is over the $BUDGET_KB KB budget" >&2
fi
