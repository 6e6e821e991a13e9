#!/usr/bin/env bash
# `npm run up -- <stack> [pulumi up flags...]`: deploys a stack with the Pulumi CLI, on a state
# backend inside the project by default (file://<repo>/.pulumi-state, gitignored).
#
#   npm run up -- dev              # the dev stack on the local Docker engine
#   npm run up -- dev --yes        # without the confirmation prompt
#   PULUMI_BACKEND_URL=s3://... npm run up -- prod
#
# Offline preview of the port plan, without Pulumi: npm run plan -- --stack <stack>
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

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

if ! command -v pulumi >/dev/null 2>&1; then
  cat >&2 <<MESSAGE
The Pulumi CLI is not installed, so the cluster cannot be deployed from here.
  Install it:  curl -fsSL https://get.pulumi.com | sh   (or: brew install pulumi/tap/pulumi)
               then open a new shell and run: npm run up -- $stack
  Offline preview of the stack's ports (no Pulumi needed):
               npm run plan -- --stack $stack
MESSAGE
  exit 127
fi

cd "$ROOT"
npm run build --silent

export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$ROOT/.pulumi-state}"
if [[ "$PULUMI_BACKEND_URL" == file://* ]]; then
  mkdir -p "${PULUMI_BACKEND_URL#file://}"
  # The local dev backend only: a documented default passphrase for the secrets in
  # .pulumi-state, so `npm run up -- dev` works out of the box. It protects nothing; set
  # PULUMI_CONFIG_PASSPHRASE (or _FILE) yourself for any state you share or keep.
  if [[ -z "${PULUMI_CONFIG_PASSPHRASE:-}" && -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]]; then
    export PULUMI_CONFIG_PASSPHRASE="fluvio-spu-local-dev"
  fi
fi

pulumi stack select --create "$stack"
pulumi up --stack "$stack" "$@"
