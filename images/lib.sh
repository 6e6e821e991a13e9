# Shared by images/*/build.sh and scripts/up.sh (sourced, not run). Every failure is one line on
# stderr, prefixed "fluvio-spu:", with an exit code a script can act on:
#   1 a build failed   2 usage   3 something needed is missing and cannot be made here
#   127 a tool is not installed
# Paths are relative to this file, so the scripts work from a checkout and from an installed
# package (node_modules/fluvio-spu/images/...) alike.

FLUVIO_SPU_IMAGES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck disable=SC2034 # read by the scripts that source this file
FLUVIO_SPU_PACKAGE_DIR="$(cd "$FLUVIO_SPU_IMAGES_DIR/.." && pwd)"

fail() {
  local code="$1"
  shift
  echo "fluvio-spu: $*" >&2
  exit "$code"
}

# The engine this shell talks to, as Docker's CLI picks it.
docker_engine_name() {
  if [[ -n "${DOCKER_HOST:-}" ]]; then echo "$DOCKER_HOST"; return; fi
  if [[ -n "${DOCKER_CONTEXT:-}" ]]; then echo "context $DOCKER_CONTEXT"; return; fi
  echo "unix:///var/run/docker.sock"
}

# The docker CLI is installed and an engine answers.
require_docker() {
  command -v docker >/dev/null 2>&1 || fail 127 "the docker CLI is not installed: install Docker (https://docs.docker.com/engine/install/) and run this again"
  local answer
  if ! answer="$(docker version --format '{{.Server.Version}}' 2>&1)"; then
    answer="$(printf '%s' "$answer" | grep -v '^\s*$' | tail -n 1)"
    fail 3 "no Docker engine answers at $(docker_engine_name) (${answer:-no answer}): start it (systemctl start docker, or Docker Desktop) or point DOCKER_HOST at one"
  fi
}

# The image is on the engine, or can be pulled onto it; the reason otherwise (on stdout).
image_missing_reason() {
  local image="$1" pulled
  docker image inspect "$image" >/dev/null 2>&1 && return 1
  if pulled="$(docker pull --quiet "$image" 2>&1)"; then return 1; fi
  printf '%s' "$pulled" | grep -v '^\s*$' | tail -n 1
  return 0
}

# The base images of a Dockerfile: every FROM that does not name an earlier stage.
dockerfile_bases() {
  awk 'toupper($1) == "FROM" {
         image = ""; for (i = 2; i <= NF; i++) if ($i !~ /^--/) { image = $i; break }
         if (!(image in stage)) print image
         for (i = 2; i < NF; i++) if (toupper($i) == "AS") stage[$(i + 1)] = 1
       }' "$1" | awk '!seen[$0]++'
}

# Stops (exit 3) unless every base image of the Dockerfile is on the engine or can be pulled.
require_bases() {
  local dockerfile="$1" base reason
  while IFS= read -r base; do
    [[ -n "$base" ]] || continue
    if reason="$(image_missing_reason "$base")"; then
      fail 3 "base image $base is not on this Docker engine and cannot be pulled (${reason:-no reason given}): load it (docker load -i ...), or build on a mirror of it with --base <image>"
    fi
  done < <(dockerfile_bases "$dockerfile")
}

# A copy of the Dockerfile with every stage's base replaced (--base); the original when none is given.
dockerfile_with_base() {
  local dockerfile="$1" base="$2" out="$3"
  if [[ -z "$base" ]]; then cp "$dockerfile" "$out"; return; fi
  awk -v base="$base" 'toupper($1) == "FROM" {
         for (i = 2; i <= NF; i++) if ($i !~ /^--/) { if (!($i in stage)) $i = base; break }
         for (i = 2; i < NF; i++) if (toupper($i) == "AS") stage[$(i + 1)] = 1
       } { print }' "$dockerfile" > "$out"
}
