#!/usr/bin/env bash
# Removes the Docker volumes a destroyed cluster kept (SPU data and SC metadata are retained on
# `pulumi destroy` by design), found by the labels the Docker target puts on them
# (src/plan/layout.ts LABELS): fluvio-spu.cluster=<cluster>-<stack> AND fluvio-spu.stack=<stack>,
# both values matched exactly, so another stack's or cluster's volumes are never touched.
# `npm run down -- <stack> --purge` runs it after `pulumi destroy`.
#
#   scripts/purge-volumes.sh --cluster fluvio-dev --stack dev            # lists, asks, removes
#   scripts/purge-volumes.sh --cluster fluvio-dev --stack dev --dry-run  # lists only
#   scripts/purge-volumes.sh --cluster fluvio-dev --stack dev --yes      # no question
#
# Exit codes: 0 removed (or nothing to remove, or --dry-run); 1 a volume could not be removed
# (a container still uses it); 2 usage, or no --yes without a terminal to ask on; 3 no engine;
# 127 docker is not installed.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/../images/lib.sh
source "$HERE/../images/lib.sh"

CLUSTER_LABEL="fluvio-spu.cluster"
STACK_LABEL="fluvio-spu.stack"
usage="usage: scripts/purge-volumes.sh --cluster <cluster>-<stack> --stack <stack> [--yes] [--dry-run]"

cluster=""
stack=""
yes=false
dry_run=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cluster) [[ $# -ge 2 ]] || fail 2 "--cluster needs a value; $usage"; cluster="$2"; shift 2 ;;
    --stack) [[ $# -ge 2 ]] || fail 2 "--stack needs a value; $usage"; stack="$2"; shift 2 ;;
    --yes | -y) yes=true; shift ;;
    --dry-run) dry_run=true; shift ;;
    -h | --help) echo "$usage"; exit 0 ;;
    *) fail 2 "unknown argument $1; $usage" ;;
  esac
done
[[ -n "$cluster" && -n "$stack" ]] || fail 2 "both --cluster and --stack are needed; $usage"

require_docker
selector="$CLUSTER_LABEL=$cluster, $STACK_LABEL=$stack"
volumes=()
while IFS= read -r -u 3 volume; do
  [[ -n "$volume" ]] || continue
  # Docker's label filter matches values exactly; check again, so nothing else is ever listed.
  labels="$(docker volume inspect --format "{{index .Labels \"$CLUSTER_LABEL\"}}|{{index .Labels \"$STACK_LABEL\"}}" "$volume")"
  [[ "$labels" == "$cluster|$stack" ]] && volumes+=("$volume")
done 3< <(docker volume ls --quiet --filter "label=$CLUSTER_LABEL=$cluster" --filter "label=$STACK_LABEL=$stack")

if [[ ${#volumes[@]} -eq 0 ]]; then
  echo "fluvio-spu: no volumes labelled $selector: nothing to purge" >&2
  exit 0
fi
{
  echo "fluvio-spu: purge removes ${#volumes[@]} volume(s) labelled $selector, and their data for good:"
  printf '  %s\n' "${volumes[@]}"
} >&2
if [[ "$dry_run" == true ]]; then exit 0; fi
if [[ "$yes" != true ]]; then
  [[ -t 0 ]] || fail 2 "not removing without --yes: no terminal to ask on"
  read -r -p "Remove them? [y/N] " answer
  [[ "$answer" == y || "$answer" == Y || "$answer" == yes ]] || { echo "fluvio-spu: nothing removed" >&2; exit 0; }
fi

kept=()
for volume in "${volumes[@]}"; do
  if docker volume rm "$volume" >/dev/null 2>&1; then echo "removed $volume"; else kept+=("$volume"); fi
done
if [[ ${#kept[@]} -gt 0 ]]; then
  fail 1 "could not remove ${kept[*]}: a container still uses them (docker ps -a --filter volume=${kept[0]}); remove it and run this again"
fi
