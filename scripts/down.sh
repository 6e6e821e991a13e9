#!/usr/bin/env bash
# `npm run down -- <stack> [--purge] [--yes] [pulumi destroy flags...]`: destroys the stack with
# the Pulumi CLI, on the same state backend `npm run up` uses (file://<repo>/.pulumi-state unless
# PULUMI_BACKEND_URL says otherwise). `pulumi destroy` keeps the Docker data volumes (SPU data,
# SC metadata) by design; `--purge` then removes them too, after listing exactly which: the
# volumes labelled with this stack's cluster and this stack (scripts/purge-volumes.sh), never
# another stack's. `--yes` skips both questions and goes on to `pulumi destroy` too.
#
#   npm run down -- dev                  # containers and networks go, data volumes stay
#   npm run down -- dev --purge          # and then the data volumes, after a list and a question
#   npm run down -- dev --purge --yes
#
# Exit codes: 0 done; 1 `pulumi destroy` or a volume removal failed; 2 usage or config error;
# 3 no Docker engine (for --purge); 127 the Pulumi (or docker) CLI is not installed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=SCRIPTDIR/../images/lib.sh
source "$ROOT/images/lib.sh"
# shellcheck source=SCRIPTDIR/state.sh
source "$ROOT/scripts/state.sh"

usage="usage: npm run down -- <stack> [--purge] [--yes] [pulumi destroy flags...]"
stack="${1:-}"
if [[ "$stack" == "--stack" || "$stack" == "-s" ]]; then
  shift
  stack="${1:-}"
fi
[[ -n "$stack" && "$stack" != -* ]] || fail 2 "$usage"
shift

purge=false
yes=false
destroy_flags=()
for flag in "$@"; do
  case "$flag" in
    --purge) purge=true ;;
    --yes | -y) yes=true; destroy_flags+=("$flag") ;;
    *) destroy_flags+=("$flag") ;;
  esac
done

cd "$ROOT"
build_if_changed
# The stack and its config first (a typo in the stack name is the stack error), and for --purge
# which cluster the volumes belong to and an engine to remove them from.
# A stack whose config no longer plans can still be destroyed (destroy does not run the program);
# only --purge needs the plan (the cluster's name), and a stack that does not exist stops here.
plan_errors="$(mktemp)"
trap 'rm -f "$plan_errors"' EXIT
if ! plan="$(node bin/fluvio-ports.js plan --stack "$stack" --format json 2>"$plan_errors")"; then
  grep -v '^warning: ' "$plan_errors" >&2
  if [[ "$purge" == true ]] || grep -q "no stack file for" "$plan_errors"; then exit 2; fi
  echo "fluvio-spu: destroying stack $stack all the same: pulumi destroy does not read its config" >&2
fi
use_toolchain
command -v pulumi >/dev/null 2>&1 || fail 127 "the Pulumi CLI is not installed, so the stack cannot be destroyed from here: install it (https://www.pulumi.com/docs/install/) or build it with npm run toolchain"

if [[ "$purge" == true ]]; then
  target="$(printf '%s' "$plan" | node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8")).target)')"
  cluster="$(printf '%s' "$plan" | node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8")).namePrefix)')"
  if [[ "$target" == docker ]]; then
    require_docker
  else
    echo "fluvio-spu: --purge removes Docker volumes; stack $stack runs on Kubernetes, where the data stays in the namespace's PersistentVolumeClaims (kubectl delete namespace removes them)" >&2
    purge=false
  fi
fi

use_state_backend
print_state_backend "$stack"
echo "fluvio-spu: pulumi destroy --stack $stack ${destroy_flags[*]+${destroy_flags[*]}}" >&2
pulumi destroy --stack "$stack" ${destroy_flags[@]+"${destroy_flags[@]}"}

if [[ "$purge" == true ]]; then
  purge_flags=(--cluster "$cluster" --stack "$stack")
  [[ "$yes" == true ]] && purge_flags+=(--yes)
  "$ROOT/scripts/purge-volumes.sh" "${purge_flags[@]}"
fi
