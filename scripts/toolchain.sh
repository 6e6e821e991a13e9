#!/usr/bin/env bash
# `npm run toolchain`: puts the real programs the tests drive into the gitignored .toolchain/bin/,
# cached by version (or checksum) under $HOME/.cache/fluvio-spu/toolchain/. A second run builds
# nothing and takes seconds.
#
# Prebuilt, from ../shared/engines (each checked against its SHA256SUMS, unpacked once):
#   pulumi-resource-docker, pulumi-resource-kubernetes, pulumi-language-nodejs,
#   pulumi-language-python (+ -exec), pulumi-language-yaml, fluvio-run, fluvio
# Built from published Go modules, with the machine's Go:
#   pulumi                      github.com/pulumi/pulumi/pkg/v3/cmd/pulumi  (version of @pulumi/pulumi)
#   etcd                        go.etcd.io/etcd/server/v3
#   kube-apiserver, kube-controller-manager, kube-scheduler   k8s.io/kubernetes
#   kwok                        sigs.k8s.io/kwok/cmd/kwok (fake nodes: pods become Running and Ready)
#
# Rules (test/unit/toolchain.test.ts holds the script to them with a fake `go`):
# - A piece that cannot be had is one `LEFT OUT` line with the reason; the script goes on and
#   exits 0. The tests that need that piece skip loudly (and fail under CI=true).
# - Two runs at once never undo each other's work: a piece is built in a folder of its own run
#   and renamed into place when complete, under a per-piece lock; links are replaced atomically.
# - A piece's build is bounded in time (FLUVIO_SPU_TOOLCHAIN_TIMEOUT seconds, default 3600).
set -uo pipefail
# The whole script is one compound command, read before it runs: a checkout that changes this file
# while a long build runs (git pull, a branch switch) cannot make the running copy read half a line.
{
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${FLUVIO_SPU_TOOLCHAIN_CACHE:-$HOME/.cache/fluvio-spu/toolchain}"
ENGINES="${FLUVIO_SPU_ENGINES:-$ROOT/../shared/engines}"
BIN="${FLUVIO_SPU_TOOLCHAIN_BIN:-$ROOT/.toolchain/bin}"
PIECE_TIMEOUT="${FLUVIO_SPU_TOOLCHAIN_TIMEOUT:-3600}"
mkdir -p "$CACHE" "$BIN"

pkg_version() { node -p "const p = require('$ROOT/package.json'); (p.devDependencies || {})['$1'] || (p.dependencies || {})['$1']"; }
PULUMI_VERSION="$(pkg_version @pulumi/pulumi)"
KUBE_VERSION="1.34.2"
ETCD_VERSION="3.6.5"
KWOK_VERSION="0.8.0"

export GOFLAGS="-mod=mod -buildvcs=false"
export GOTOOLCHAIN=local
export CGO_ENABLED=0
# The checksum database does not answer for some of these versions here; the wrapper's go.sum
# still pins every hash it downloaded.
export GOSUMDB="${GOSUMDB:-off}"

log() { echo "toolchain: $*"; }
summary=()
run_start="$(date +%s)"

# link NAME TARGET: replace .toolchain/bin/NAME atomically (a second run never sees it missing).
link() {
  local tmp="$BIN/.$1.$$"
  ln -sfn "$2" "$tmp" && mv -fT "$tmp" "$BIN/$1"
}

# with_lock FILE COMMAND...: runs COMMAND holding an exclusive lock on FILE (waits for the holder).
with_lock() {
  local file="$1"; shift
  if command -v flock >/dev/null 2>&1; then
    ( flock -x 9; "$@" ) 9>"$file"
  else
    "$@"
  fi
}

left_out() { # NAME VERSION REASON
  log "LEFT OUT $1 $2: $3"
  summary+=("$1 $2: LEFT OUT ($3)")
}

# ---------------------------------------------------------------- prebuilt engines
# engine FOLDER BINARY [plain]: unpack FOLDER/BINARY.xz (or take FOLDER/BINARY as it is, for
# scripts stored plain), check it against SHA256SUMS, cache it under its checksum, link it.
engine() {
  local folder="$1" name="$2" sums="$ENGINES/SHA256SUMS" want src dir
  if [[ ! -f "$sums" ]]; then left_out "$name" "$folder" "no $sums (the engines folder is missing)"; return 0; fi
  want="$(awk -v p="$folder/$name" '$2 == p { print $1 }' "$sums")"
  if [[ -z "$want" ]]; then left_out "$name" "$folder" "$folder/$name is not listed in $sums"; return 0; fi
  dir="$CACHE/engines/$want"
  if [[ ! -x "$dir/$name" ]]; then
    src="$ENGINES/$folder/$name"
    local tmp; tmp="$(mktemp -d "$CACHE/engines.tmp.XXXXXX")"
    if [[ -f "$src.xz" ]]; then
      if ! command -v xz >/dev/null 2>&1; then rm -rf "$tmp"; left_out "$name" "$folder" "xz is not installed (Debian's xz-utils)"; return 0; fi
      xz -dc "$src.xz" >"$tmp/$name" 2>/dev/null || { rm -rf "$tmp"; left_out "$name" "$folder" "$src.xz does not unpack"; return 0; }
    elif [[ -f "$src" ]]; then
      cp "$src" "$tmp/$name"
    else
      rm -rf "$tmp"; left_out "$name" "$folder" "neither $src.xz nor $src exists"; return 0
    fi
    local got; got="$(sha256sum "$tmp/$name" | awk '{print $1}')"
    if [[ "$got" != "$want" ]]; then
      rm -rf "$tmp"; left_out "$name" "$folder" "checksum $got does not match SHA256SUMS ($want)"; return 0
    fi
    chmod 0555 "$tmp/$name"
    mkdir -p "$CACHE/engines"
    # Another run may have put the same checksum in place meanwhile: either copy is the same file.
    if ! mv -T "$tmp" "$dir" 2>/dev/null; then rm -rf "$tmp"; fi
  fi
  link "$name" "$dir/$name"
  summary+=("$name ($folder): checked against SHA256SUMS")
}

# beside NAME HOST: put NAME's checked copy in HOST's cache folder too, for a host that looks
# for a helper beside its own resolved path (the Python host runs pulumi-language-python-exec).
beside() {
  local name="$1" host="$2" target host_target
  target="$(readlink "$BIN/$name" 2>/dev/null)" && host_target="$(readlink "$BIN/$host" 2>/dev/null)" || return 0
  ln -sfn "$target" "$(dirname "$host_target")/$name"
}

# ---------------------------------------------------------------- Go modules
# module_json MODULE@VERSION -> `go mod download -json` (Dir, GoMod, Origin?), or fails.
module_json() { go mod download -json "$1"; }
# json_field PATH: a field of the JSON on stdin; fails (empty) when absent or when the JSON is an error.
json_field() { node -e '
  let j; try { j = JSON.parse(require("fs").readFileSync(0, "utf8")); } catch { process.exit(1); }
  const v = process.argv[1].split(".").reduce((o, k) => (o == null ? o : o[k]), j);
  if (v == null || v === "" || j.Error) process.exit(1);
  console.log(v);' "$1"; }

# Prints the go.mod replace lines of a downloaded go.mod that do not point at a local folder.
nonlocal_replaces() { go mod edit -json "$1" | node -e '
  const j = JSON.parse(require("fs").readFileSync(0, "utf8"));
  for (const r of j.Replace || []) {
    if (!r.New.Version) continue; // a local folder: the caller decides
    const old = r.Old.Version ? `${r.Old.Path} ${r.Old.Version}` : r.Old.Path;
    console.log(`replace ${old} => ${r.New.Path} ${r.New.Version}`);
  }'; }

# Prints the local-folder replaces as "old-path" lines.
local_replaces() { go mod edit -json "$1" | node -e '
  const j = JSON.parse(require("fs").readFileSync(0, "utf8"));
  for (const r of j.Replace || []) if (!r.New.Version) console.log(r.Old.Path);'; }

go_directive() { go mod edit -json "$1" | node -e '
  const j = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(j.Go || "1.24");'; }

# The reason a failed build gives, in one line, from its log.
failure_reason() {
  local log_file="$1" status="$2" line
  if [[ "$status" == 124 ]]; then echo "no answer within ${PIECE_TIMEOUT}s (a slow or hanging module proxy; run npm run toolchain again)"; return; fi
  line="$(grep -m1 -E '403 Forbidden|404 Not Found|410 Gone|not available|invalid version|unknown revision|no matching versions|dial tcp|i/o timeout|TLS handshake timeout|connection refused|no such host' "$log_file")"
  [[ -n "$line" ]] || line="$(grep -v '^\s*$' "$log_file" | tail -n 1)"
  echo "${line:0:300}"
}

# piece NAME VERSION BINARIES... -- BUILD_FUNCTION
# Links the cached build when complete; otherwise builds it in a folder of this run's own and
# renames it into place, under a lock, so a second run at once waits and then takes the result.
piece() {
  local name="$1" version="$2"; shift 2
  local bins=()
  while [[ "$1" != "--" ]]; do bins+=("$1"); shift; done
  shift
  local builder="$1" dir="$CACHE/$name-$version"
  if ! command -v go >/dev/null 2>&1; then left_out "$name" "$version" "Go is not installed"; return 0; fi
  if [[ ! -f "$dir/.done" ]]; then
    with_lock "$CACHE/$name-$version.lock" build_piece "$name" "$version" "$builder"
  fi
  if [[ -f "$dir/.done" ]]; then
    local b
    for b in "${bins[@]}"; do link "$b" "$dir/bin/$b"; done
    summary+=("$name $version: $(cat "$dir/.done")")
  else
    left_out "$name" "$version" "$(cat "$CACHE/$name-$version.failed" 2>/dev/null || echo 'the build failed')"
  fi
}

build_piece() {
  local name="$1" version="$2" builder="$3" dir="$CACHE/$1-$2"
  [[ -f "$dir/.done" ]] && return 0 # built by the run that held the lock before us
  local work; work="$(mktemp -d "$CACHE/$name-$version.build.XXXXXX")"
  mkdir -p "$work/bin" "$work/src"
  log "building $name $version from Go modules (a cold build takes minutes; log: $work/build.log)"
  local start status
  start="$(date +%s)"
  (cd "$work/src" && timeout --kill-after=10 "$PIECE_TIMEOUT" bash -c "$(declare -f "$builder" module_json json_field nonlocal_replaces local_replaces go_directive); $builder \"\$1\" \"\$2\"" _ "$version" "$work/bin") \
    >"$work/build.log" 2>&1
  status=$?
  if [[ $status -ne 0 ]]; then
    failure_reason "$work/build.log" "$status" >"$CACHE/$name-$version.failed"
    mkdir -p "$CACHE/logs"; cp "$work/build.log" "$CACHE/logs/$name-$version.log"
    rm -rf "$work"
    return 0
  fi
  local secs size
  secs=$(( $(date +%s) - start ))
  size="$(du -sm "$work/bin" | awk '{print $1}')"
  echo "built in ${secs}s, binaries ${size} MB" >"$work/.done"
  rm -rf "$work/src" "$CACHE/$name-$version.failed"
  # A folder left by an interrupted run of an older layout is never complete (no .done): replace it.
  [[ -d "$dir" && ! -f "$dir/.done" ]] && rm -rf "$dir"
  mv -T "$work" "$dir" || rm -rf "$work"
  log "$name $version: $(cat "$dir/.done")"
}

# ---------------------------------------------------------------- Pulumi CLI
build_pulumi() {
  local v="$1" out="$2" j mod
  j="$(module_json "github.com/pulumi/pulumi/pkg/v3@v$v")" || { echo "$j"; return 1; }
  mod="$(json_field GoMod <<<"$j")" || { echo "no go.mod for pkg/v3@v$v: $j"; return 1; }
  {
    echo "module fluvio-spu-toolchain/pulumi"
    echo "go $(go_directive "$mod")"
    echo "require ("
    echo "  github.com/pulumi/pulumi/pkg/v3 v$v"
    echo "  github.com/pulumi/pulumi/sdk/v3 v$v"
    echo ")"
    nonlocal_replaces "$mod"
  } >go.mod
  go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$v" \
    -o "$out/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi || return 1
  "$out/pulumi" version
}

# ---------------------------------------------------------------- etcd
build_etcd() {
  local v="$1" out="$2" j mod hash
  j="$(module_json "go.etcd.io/etcd/server/v3@v$v")" || { echo "$j"; return 1; }
  mod="$(json_field GoMod <<<"$j")" || { echo "no go.mod for etcd server v$v: $j"; return 1; }
  hash="$(json_field Origin.Hash <<<"$j" || true)" # the proxy often names no commit
  {
    echo "module fluvio-spu-toolchain/etcd"
    echo "go $(go_directive "$mod")"
    echo "require go.etcd.io/etcd/server/v3 v$v"
    nonlocal_replaces "$mod"
  } >go.mod
  cat >main.go <<'GO'
// etcd's server entry point (the upstream main lives in a module with local replaces).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  go build -trimpath -ldflags "-s -w${hash:+ -X go.etcd.io/etcd/api/v3/version.GitSHA=${hash:0:12}}" -o "$out/etcd" . || return 1
  "$out/etcd" --version
}

# ---------------------------------------------------------------- kube-apiserver, -controller-manager, -scheduler
build_kube() {
  local v="$1" out="$2" j mod hash minor
  j="$(module_json "k8s.io/kubernetes@v$v")" || { echo "$j"; return 1; }
  mod="$(json_field GoMod <<<"$j")" || { echo "no go.mod for k8s.io/kubernetes@v$v: $j"; return 1; }
  hash="$(json_field Origin.Hash <<<"$j" || echo unknown)"
  minor="$(cut -d. -f2 <<<"$v")"
  {
    echo "module fluvio-spu-toolchain/kube"
    echo "go $(go_directive "$mod")"
    echo "require k8s.io/kubernetes v$v"
    nonlocal_replaces "$mod"
    # The staging modules point at local folders; each is published as k8s.io/<x> v0.<minor>.<patch>.
    local_replaces "$mod" | while read -r m; do echo "replace $m => $m v0.${v#1.}"; done
  } >go.mod
  local x ldflags="-s -w"
  for x in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $x.gitVersion=v$v -X $x.gitMajor=1 -X $x.gitMinor=$minor"
    ldflags+=" -X $x.gitCommit=$hash -X $x.gitTreeState=clean -X $x.buildDate=1970-01-01T00:00:00Z"
  done
  go build -trimpath -ldflags "$ldflags" -o "$out/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler || return 1
  "$out/kube-apiserver" --version
}

# ---------------------------------------------------------------- kwok
build_kwok() {
  local v="$1" out="$2" j mod
  j="$(module_json "sigs.k8s.io/kwok@v$v")" || { echo "$j"; return 1; }
  mod="$(json_field GoMod <<<"$j")" || { echo "no go.mod for sigs.k8s.io/kwok@v$v: $j"; return 1; }
  {
    echo "module fluvio-spu-toolchain/kwok"
    echo "go $(go_directive "$mod")"
    echo "require sigs.k8s.io/kwok v$v"
    nonlocal_replaces "$mod"
  } >go.mod
  go build -trimpath -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=v$v" -o "$out/kwok" sigs.k8s.io/kwok/cmd/kwok || return 1
  "$out/kwok" --version || true
}

engine pulumi-resource-docker-5.2.0 pulumi-resource-docker
engine pulumi-resource-kubernetes-4.34.2 pulumi-resource-kubernetes
engine pulumi-language-nodejs-3.248.0 pulumi-language-nodejs
engine pulumi-language-python-3.248.0 pulumi-language-python
engine pulumi-language-python-3.248.0 pulumi-language-python-exec
beside pulumi-language-python-exec pulumi-language-python
engine pulumi-language-yaml-1.25.0 pulumi-language-yaml
engine fluvio-0.18.1 fluvio-run
engine fluvio-0.18.1 fluvio

piece pulumi "$PULUMI_VERSION" pulumi -- build_pulumi
piece etcd "$ETCD_VERSION" etcd -- build_etcd
piece kubernetes "$KUBE_VERSION" kube-apiserver kube-controller-manager kube-scheduler -- build_kube
piece kwok "$KWOK_VERSION" kwok -- build_kwok

echo "toolchain: .toolchain/bin/ ($CACHE), this run took $(( $(date +%s) - run_start ))s"
for s in "${summary[@]}"; do echo "  $s"; done
exit 0
}
