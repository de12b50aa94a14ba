#!/usr/bin/env bash
# Re-vendor the page's JavaScript from the npm registry (pinned versions, checked tarballs):
# Leaflet into the package's static folder, axe-core into the page tests. Not needed to run
# or test anything: the files are committed. Needs npm.
set -euo pipefail
cd "$(dirname "$0")/.."
LEAFLET=1.9.4
AXE=4.14.1
declare -A SHA256=(
  [leaflet-$LEAFLET.tgz]=84c65a256e50657896f54c33bd857b6849ebe94c817803be818bf32a3dde0b77
  [axe-core-$AXE.tgz]=e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745
)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "leaflet@$LEAFLET" "axe-core@$AXE" >/dev/null)
for tgz in "${!SHA256[@]}"; do
  echo "${SHA256[$tgz]}  $work/$tgz" | sha256sum --check --quiet
  mkdir -p "$work/${tgz%.tgz}" && tar xzf "$work/$tgz" -C "$work/${tgz%.tgz}"
done
dest=src/hjemmetjeneste/web/static/vendor/leaflet-$LEAFLET
mkdir -p "$dest"
cp -r "$work/leaflet-$LEAFLET/package/"{LICENSE,dist/leaflet.js,dist/leaflet.css,dist/images} "$dest/"
dest=tests/web/vendor/axe-core-$AXE
mkdir -p "$dest"
cp "$work/axe-core-$AXE/package/"{LICENSE,LICENSE-3RD-PARTY.txt,axe.min.js} "$dest/"
echo "vendored leaflet $LEAFLET and axe-core $AXE"
