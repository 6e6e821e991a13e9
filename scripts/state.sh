# Sourced by scripts/up.sh and scripts/down.sh: the Pulumi CLI (use_toolchain), the build
# (build_if_changed), the Pulumi state backend and secrets passphrase
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

# The Pulumi CLI `npm run toolchain` built, when there is one: .toolchain/bin first on PATH for
# this run, and no plugin downloads when the plugins are there too (they are used from PATH).
use_toolchain() {
  local bin="$ROOT/.toolchain/bin"
  [[ -x "$bin/pulumi" ]] || return 0
  export PATH="$bin:$PATH"
  if compgen -G "$bin/pulumi-resource-*" >/dev/null || compgen -G "$bin/pulumi-language-*" >/dev/null; then
    export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  fi
  export PULUMI_SKIP_UPDATE_CHECK="${PULUMI_SKIP_UPDATE_CHECK:-true}"
  echo "fluvio-spu: using the Pulumi CLI and plugins in .toolchain/bin (npm run toolchain)" >&2
}

# What `npm run build` is built from: a file among them newer than the last successful build
# (or added or removed, which touches its folder) rebuilds. The reference is the stamp this
# function leaves after a build it ran (dated when that build started, so an edit during the
# build still counts), else the bundle `npm run build` writes last (a build by `npm install`).
BUILD_INPUTS=(src tsconfig.json tsconfig.build.json package.json package-lock.json scripts/bundle-cli.js)
build_if_changed() {
  # An installed package has no sources: its dist/ is what it ships.
  [[ -d "$ROOT/src" && -f "$ROOT/tsconfig.build.json" ]] || return 0
  local stamp="$ROOT/dist/.build-stamp" reference="" changed="" started inputs=()
  if [[ -f "$stamp" ]]; then reference="$stamp"; elif [[ -f "$ROOT/dist/cli.bundle.js" ]]; then reference="$ROOT/dist/cli.bundle.js"; fi
  for input in "${BUILD_INPUTS[@]}"; do [[ -e "$ROOT/$input" ]] && inputs+=("$input"); done
  if [[ -n "$reference" ]]; then
    changed="$(cd "$ROOT" && find "${inputs[@]}" -newer "$reference" -print -quit 2>/dev/null || true)"
    if [[ -z "$changed" ]]; then
      echo "fluvio-spu: the build is current (nothing in ${BUILD_INPUTS[*]} changed since it)" >&2
      return 0
    fi
    echo "fluvio-spu: building the program (npm run build): $changed changed since the last build" >&2
  else
    echo "fluvio-spu: building the program (npm run build): no build yet" >&2
  fi
  mkdir -p "$ROOT/dist"
  started="$(mktemp "$ROOT/dist/.build-stamp.XXXXXX")"
  (cd "$ROOT" && npm run build --silent) || { rm -f "$started"; fail 1 "npm run build failed (see above)"; }
  mv -f "$started" "$stamp"
}
