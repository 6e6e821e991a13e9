#!/usr/bin/env bash
# Builds the `fluvio` CLI image the Docker target's SPU registration jobs run (images.cli).
#
#   images/fluvio-cli/build.sh                          # fluvio-spu/fluvio-cli:0.18.1, Fluvio 0.18.1
#   images/fluvio-cli/build.sh fluvio-spu/fluvio-cli:0.18.2   # the Fluvio version is read off the tag
#   images/fluvio-cli/build.sh --fluvio-version 0.18.1 my/fluvio-cli:stable
#   images/fluvio-cli/build.sh --base mirror.example.com/library/debian:bookworm-slim
#
# The Dockerfile installs the CLI with Fluvio's own installer, so the build needs the internet
# (hub.infinyon.cloud) besides the base image. Works from a checkout and from an installed
# package: paths are relative to this script. Exit codes: 0 built; 1 the build failed; 2 usage;
# 3 no engine, or the base image is missing and cannot be pulled; 127 docker is not installed.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/../lib.sh
source "$HERE/../lib.sh"

usage="usage: images/fluvio-cli/build.sh [--base <image>] [--fluvio-version <x.y.z>] [tag]"
base=""
version=""
tag=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --base) [[ $# -ge 2 ]] || fail 2 "--base needs an image; $usage"; base="$2"; shift 2 ;;
    --base=*) base="${1#--base=}"; shift ;;
    --fluvio-version) [[ $# -ge 2 ]] || fail 2 "--fluvio-version needs a version; $usage"; version="$2"; shift 2 ;;
    --fluvio-version=*) version="${1#--fluvio-version=}"; shift ;;
    -h | --help) echo "$usage"; exit 0 ;;
    -*) fail 2 "unknown option $1; $usage" ;;
    *) [[ -z "$tag" ]] || fail 2 "one tag only; $usage"; tag="$1"; shift ;;
  esac
done
tag="${tag:-fluvio-spu/fluvio-cli:0.18.1}"
if [[ -z "$version" ]]; then
  # The tag's version when it is one (fluvio-spu/fluvio-cli:0.18.1), else the release the package targets.
  suffix="${tag##*:}"
  if [[ "$tag" == *:* && "$suffix" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then version="$suffix"; else version="0.18.1"; fi
fi
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail 2 "--fluvio-version $version is not a release number like 0.18.1"

require_docker
context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
dockerfile_with_base "$HERE/Dockerfile" "$base" "$context/Dockerfile"
require_bases "$context/Dockerfile"

docker build --build-arg "FLUVIO_VERSION=$version" -t "$tag" "$context" || fail 1 "docker build of $tag (Fluvio $version) failed (see above; the installer needs https://hub.infinyon.cloud)"
echo "fluvio-spu: built $tag (Fluvio $version)" >&2
