#!/usr/bin/env bash
# `npm run up -- <stack> [pulumi up flags...]`: gets what the stack needs, then deploys it with
# the Pulumi CLI, on a state backend inside the project by default (file://<repo>/.pulumi-state).
#
#   npm run up -- dev              # the dev stack on the local Docker engine
#   npm run up -- dev --yes        # without the confirmation prompt (flags go to `pulumi up`)
#   PULUMI_BACKEND_URL=s3://... npm run up -- prod
#
# Before `pulumi up`, for a Docker stack: the engine must answer, and every image the stack runs
# must be on it — the exporter and `fluvio` CLI images are built from images/ when missing,
# others are pulled. Kubernetes stacks (KUBECONFIG as usual) build nothing: the nodes pull.
# It prints the state backend and passphrase it uses, as `export` lines for a new shell.
# Anything missing that it cannot make stops it with one line. Exit codes: 0 deployed; 1 a build
# or `pulumi up` failed; 2 usage or config error; 3 no Docker engine, or an image that can be
# neither found, built nor pulled; 4 an interrupted `up` left something to decide (the line says
# what to run); 127 the Pulumi or docker CLI is not installed.
#
# In order, each step that takes more than a moment said in one line:
#   1. the stack name and its config (`fluvio-ports plan`), before anything else is looked for,
#      so a typo in the stack name is the stack error, not "install Pulumi";
#   2. the program is rebuilt (`npm run build`) only when a source or build input is newer than
#      the last successful build (stamp dist/.build-stamp);
#   3. the Pulumi CLI: .toolchain/bin first when `npm run toolchain` put a `pulumi` there (with
#      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true when its plugins are there too);
#   4. Docker stacks: the engine, then the images (built or pulled when missing);
#   5. `pulumi stack select --create`, then for Docker stacks what an interrupted `up` or a
#      stopped node left (src/deploy/recover.ts, docs/faults.md): a stale lock, pending
#      creates, orphaned containers of the plan, stopped nodes; what it cannot decide alone
#      stops the run (exit 4) with the exact command;
#   6. `pulumi up --stack <stack> <flags>`.
#
# Offline preview of the port plan, without Pulumi: npm run plan -- --stack <stack>
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=SCRIPTDIR/../images/lib.sh
source "$ROOT/images/lib.sh"
# shellcheck source=SCRIPTDIR/state.sh
source "$ROOT/scripts/state.sh"

stack="${1:-}"
if [[ "$stack" == "--stack" || "$stack" == "-s" ]]; then
  shift
  stack="${1:-}"
fi
if [[ -z "$stack" || "$stack" == -* ]]; then
  echo "usage: npm run up -- <stack> [pulumi up flags...]   (stacks: $(cd "$ROOT/stacks" && ls Pulumi.*.yaml 2>/dev/null | sed 's/^Pulumi\.\(.*\)\.yaml$/\1/' | tr '\n' ' '))" >&2
  exit 2
fi
shift

cd "$ROOT"
# The program and the CLI are rebuilt only when something they are built from changed.
build_if_changed

# The stack and its config, before Pulumi or Docker is looked for. The plan's warnings are not
# repeated here: `pulumi up` shows them on the component. A config error is shown, as the one
# line fluvio-ports prints, and stops here.
plan_errors="$(mktemp)"
trap 'rm -f "$plan_errors"' EXIT
if ! plan="$(node bin/fluvio-ports.js plan --stack "$stack" --format json 2>"$plan_errors")"; then
  grep -v '^warning: ' "$plan_errors" >&2
  exit 2
fi
target="$(printf '%s' "$plan" | node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8")).target)')"

use_toolchain
if ! command -v pulumi >/dev/null 2>&1; then
  fail 127 "the Pulumi CLI is not installed, so the stack cannot be deployed from here: install it (https://www.pulumi.com/docs/install/) or build it with npm run toolchain, and run npm run up -- $stack again; to see the stack's ports offline: npm run plan -- --stack $stack"
fi

# The images the stack runs and how each gets onto the engine (src/deploy/images.ts).
needs="$(printf '%s' "$plan" | node dist/deploy/images.js)" || exit 2

cluster_images=()
docker_checked=false
while IFS=$'\t' read -r -u 3 how role image script; do
  [[ -n "$how" ]] || continue
  if [[ "$how" == cluster ]]; then cluster_images+=("$image"); continue; fi
  if [[ "$docker_checked" == false ]]; then require_docker; docker_checked=true; fi
  if docker image inspect "$image" >/dev/null 2>&1; then continue; fi
  case "$how" in
    build)
      echo "fluvio-spu: $image (images.$role) is not on the engine: building it with $script" >&2
      "$ROOT/$script" "$image" || exit $?
      ;;
    pull)
      echo "fluvio-spu: $image (images.$role) is not on the engine: pulling it" >&2
      if reason="$(image_missing_reason "$image")"; then
        fail 3 "$image (images.$role) is not on the Docker engine and cannot be pulled (${reason:-no reason given}): pull or load it (docker load -i ...), or set fluvio-spu:cluster images.$role in stacks/Pulumi.$stack.yaml to an image the engine has"
      fi
      ;;
  esac
done 3<<< "$needs"
if [[ ${#cluster_images[@]} -gt 0 ]]; then
  echo "fluvio-spu: the Kubernetes nodes pull ${cluster_images[*]} themselves; build and push the exporter with images/exporter/build.sh <registry>/<name>:<tag> and set images.exporter if they cannot" >&2
fi

use_state_backend
print_state_backend "$stack"
pulumi stack select --create "$stack"
if [[ "$target" == docker ]]; then
  # What an interrupted up or a stopped node left, put right where that is safe (docs/faults.md).
  printf '%s' "$plan" | node dist/deploy/recover.js "$stack" "$ROOT" || exit $?
fi
echo "fluvio-spu: pulumi up --stack $stack $*" >&2
pulumi up --stack "$stack" "$@"
