# Sourced by scripts/up.sh and scripts/down.sh: the Pulumi state backend and secrets passphrase
# they use, and the `export` lines that make `pulumi stack output` / `pulumi destroy` work from
# a new shell. Needs ROOT (the project directory).

# PULUMI_BACKEND_URL as given, else a file backend inside the project (gitignored). For a file
# backend without a passphrase: the documented local default, which protects nothing; set
# PULUMI_CONFIG_PASSPHRASE (or _FILE) yourself for any state you share or keep.
use_state_backend() {
  export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$ROOT/.pulumi-state}"
  if [[ "$PULUMI_BACKEND_URL" == file://* ]]; then
    mkdir -p "${PULUMI_BACKEND_URL#file://}"
    if [[ -z "${PULUMI_CONFIG_PASSPHRASE:-}" && -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]]; then
      export PULUMI_CONFIG_PASSPHRASE="fluvio-spu-local-dev"
      FLUVIO_SPU_DEFAULT_PASSPHRASE=true
    fi
  fi
}

# What this run uses, on stderr, with the lines to paste into a new shell. A passphrase the user
# set is never printed, only where it comes from.
print_state_backend() {
  local stack="$1" passphrase
  if [[ -n "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]]; then
    passphrase="$(printf 'export PULUMI_CONFIG_PASSPHRASE_FILE=%q' "$PULUMI_CONFIG_PASSPHRASE_FILE")"
  elif [[ "${FLUVIO_SPU_DEFAULT_PASSPHRASE:-false}" == true ]]; then
    passphrase="$(printf 'export PULUMI_CONFIG_PASSPHRASE=%q   # the local default: it protects nothing' "$PULUMI_CONFIG_PASSPHRASE")"
  elif [[ -n "${PULUMI_CONFIG_PASSPHRASE:-}" ]]; then
    passphrase="export PULUMI_CONFIG_PASSPHRASE=...   # yours, as set in this shell (not printed)"
  else
    passphrase="# no passphrase: the backend's own secrets provider"
  fi
  {
    echo "fluvio-spu: stack $stack, state backend $PULUMI_BACKEND_URL; for pulumi stack output / pulumi destroy in a new shell (cd $ROOT):"
    printf '  export PULUMI_BACKEND_URL=%q\n' "$PULUMI_BACKEND_URL"
    echo "  $passphrase"
  } >&2
}
