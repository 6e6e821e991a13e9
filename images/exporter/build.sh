#!/usr/bin/env bash
# Builds the metrics exporter image from this package's compiled exporter (dist/exporter).
#
#   images/exporter/build.sh                       # fluvio-spu/metrics-exporter:0.1.0
#   images/exporter/build.sh my/exporter:1         # another tag
#   images/exporter/build.sh --base mirror.example.com/library/node:20-alpine
#
# Works from a checkout (compiles dist/ first) and from an installed package
# (node_modules/fluvio-spu/images/exporter/build.sh, which ships dist/). The build context is a
# temporary directory holding only the exporter's files, so no .dockerignore or BuildKit is needed.
# Exit codes: 0 built; 1 the build failed; 2 usage; 3 no engine, or the base image is missing and
# cannot be pulled; 127 docker (or npm, in a checkout) is not installed.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/../lib.sh
source "$HERE/../lib.sh"

usage="usage: images/exporter/build.sh [--base <image>] [tag]"
base=""
tag=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --base) [[ $# -ge 2 ]] || fail 2 "--base needs an image; $usage"; base="$2"; shift 2 ;;
    --base=*) base="${1#--base=}"; shift ;;
    -h | --help) echo "$usage"; exit 0 ;;
    -*) fail 2 "unknown option $1; $usage" ;;
    *) [[ -z "$tag" ]] || fail 2 "one tag only; $usage"; tag="$1"; shift ;;
  esac
done
tag="${tag:-fluvio-spu/metrics-exporter:0.1.0}"

require_docker
if [[ -d "$FLUVIO_SPU_PACKAGE_DIR/src" && -f "$FLUVIO_SPU_PACKAGE_DIR/tsconfig.build.json" ]]; then
  # A checkout: compile, so the image holds the exporter as the sources are now.
  command -v npm >/dev/null 2>&1 || fail 127 "npm is not installed: it compiles the exporter (npm run build)"
  (cd "$FLUVIO_SPU_PACKAGE_DIR" && npm run build --silent) || fail 1 "npm run build failed (see above): the exporter cannot be compiled"
fi
shopt -s nullglob
compiled=("$FLUVIO_SPU_PACKAGE_DIR"/dist/exporter/*.js)
[[ ${#compiled[@]} -gt 0 ]] || fail 3 "$FLUVIO_SPU_PACKAGE_DIR/dist/exporter/ holds no compiled exporter: run npm run build in the package first"

context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
mkdir -p "$context/dist/exporter"
cp "${compiled[@]}" "$context/dist/exporter/"
dockerfile_with_base "$HERE/Dockerfile" "$base" "$context/Dockerfile"
require_bases "$context/Dockerfile"

docker build -t "$tag" "$context" || fail 1 "docker build of $tag failed (see above)"
echo "fluvio-spu: built $tag" >&2
