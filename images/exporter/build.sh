#!/usr/bin/env bash
# Builds the metrics exporter image: compiles dist/ then builds images/exporter/Dockerfile
# from the repository root. Usage: images/exporter/build.sh [tag]
set -euo pipefail
cd "$(dirname "$0")/../.."
tag="${1:-fluvio-spu/metrics-exporter:0.1.0}"
npm run build
export DOCKER_BUILDKIT="${DOCKER_BUILDKIT:-1}"  # BuildKit reads images/exporter/Dockerfile.dockerignore
docker build -f images/exporter/Dockerfile -t "$tag" .
