#!/usr/bin/env bash
# Fetches again the font files Quorum ships (crates/quorum-steps/fonts/): for each family its
# Latin-subset woff2 faces and its licence, from the family's @fontsource package at the
# version pinned below, and prints what it fetched. Run it to refresh the fonts; commit the
# result together with any change to crates/quorum-steps/src/site/fonts.rs, whose table must
# name the same families and weights.
#
# Needs npm (it only runs `npm pack`: nothing is installed, no package script runs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# package  version  weights. Display faces come in the one weight they are drawn in.
FAMILIES=(
    "inter 5.3.0 400,700"
    "open-sans 5.3.0 400,700"
    "roboto 5.3.0 400,700"
    "lato 5.3.0 400,700"
    "montserrat 5.3.0 400,700"
    "poppins 5.3.0 400,700"
    "nunito 5.3.0 400,700"
    "raleway 5.3.0 400,700"
    "playfair-display 5.3.0 400,700"
    "source-serif-4 5.3.1 400,700"
    "lora 5.3.0 400,700"
    "pacifico 5.3.0 400"
    "oswald 5.3.0 400,700"
    "work-sans 5.3.0 400,700"
    "dm-sans 5.3.0 400,700"
    "source-sans-3 5.3.0 400,700"
)
# The Latin subset's unicode-range, as fonts.rs declares it: a package whose range differs
# stops the script, since the @font-face rules would then promise glyphs a file lacks.
LATIN_RANGE="U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0304,U+0308,U+0329,U+2000-206F,U+20AC,U+2122,U+2191,U+2193,U+2212,U+2215,U+FEFF,U+FFFD"

out=crates/quorum-steps/fonts
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

rm -rf "$out"
mkdir -p "$out"
{
    echo "# The font files under this folder: @fontsource packages, Latin subset, normal style."
    echo "# Written by scripts/fetch-fonts.sh; each folder holds its family's licence."
    echo "# package version licence weights"
} >"$out/VERSIONS"

for entry in "${FAMILIES[@]}"; do
    read -r id version weights <<<"$entry"
    package="@fontsource/$id@$version"
    dir="$work/$id"
    mkdir -p "$dir"
    (cd "$dir" && npm pack --silent "$package" >/dev/null)
    tar -xzf "$dir"/*.tgz -C "$dir"
    licence="$(node -p "require('$dir/package/package.json').license")"
    mkdir -p "$out/$id"
    cp "$dir/package/LICENSE" "$out/$id/LICENSE"
    for weight in ${weights//,/ }; do
        file="$id-latin-$weight-normal.woff2"
        range="$(grep -A8 "$id-latin-$weight-normal \*/" "$dir/package/$weight.css" |
            sed -n 's/^ *unicode-range: *\(.*\);$/\1/p')"
        if [[ "$range" != "$LATIN_RANGE" ]]; then
            echo "fetch-fonts: $package declares a different Latin range: $range" >&2
            exit 1
        fi
        cp "$dir/package/files/$file" "$out/$id/$file"
    done
    echo "@fontsource/$id $version $licence $weights" >>"$out/VERSIONS"
done

grep -v '^#' "$out/VERSIONS"
echo "total: $(du -cb "$out"/*/*.woff2 | tail -1 | cut -f1) bytes of woff2 in $out"
