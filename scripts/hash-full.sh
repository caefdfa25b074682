#!/usr/bin/env bash
# Trunk post_build hook (Trunk.toml): Trunk does not hash the names of its
# "worker" assets, which the full build is (index.html). Name its script and
# wasm after their content, as Trunk does for the viewer's, and write the
# names into the staged index.html: browsers and the service worker then
# never pair one release's script with another's wasm.
set -euo pipefail
dir="${TRUNK_STAGING_DIR:?run by trunk (post_build hook)}"
js="$dir/bisect-lens-full.js"
wasm="$dir/bisect-lens-full_bg.wasm"
[ -f "$js" ] && [ -f "$wasm" ] || { echo "hash-full: $js or $wasm missing" >&2; exit 1; }
hash=$(cat "$js" "$wasm" | sha256sum | cut -c1-16)
mv "$js" "$dir/bisect-lens-full-$hash.js"
mv "$wasm" "$dir/bisect-lens-full-${hash}_bg.wasm"
sed -i -e "s/bisect-lens-full\.js/bisect-lens-full-$hash.js/g" \
    -e "s/bisect-lens-full_bg\.wasm/bisect-lens-full-${hash}_bg.wasm/g" "$dir/index.html"
grep -q "bisect-lens-full-$hash.js" "$dir/index.html" || { echo "hash-full: index.html does not name the full build" >&2; exit 1; }
