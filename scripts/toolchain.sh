#!/usr/bin/env bash
# `npm run toolchain`: builds the real engines the test/engine tier drives, from published Go
# modules, once per version, into $HOME/.cache/fluvio-spu/toolchain/<name>-<version>/ and links
# them into the gitignored .toolchain/bin/. A second run builds nothing and takes seconds.
#
#   pulumi                      github.com/pulumi/pulumi/pkg/v3/cmd/pulumi  (version of @pulumi/pulumi)
#   pulumi-language-nodejs      github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
#   pulumi-resource-kubernetes  github.com/pulumi/pulumi-kubernetes/provider/v4 (version of @pulumi/kubernetes)
#   etcd                        go.etcd.io/etcd/server/v3
#   kube-apiserver, kube-controller-manager   k8s.io/kubernetes
#
# Each piece is built from a small wrapper module generated here (never committed): the upstream
# go.mod files carry replace directives to local folders, which `go install mod@version` refuses.
# A piece whose module the Go module proxy refuses is reported on one line and left out; the
# script then still succeeds, and test/engine says which engine is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${FLUVIO_SPU_TOOLCHAIN_CACHE:-$HOME/.cache/fluvio-spu/toolchain}"
BIN="$ROOT/.toolchain/bin"
mkdir -p "$CACHE" "$BIN"

# Versions: Pulumi's from package.json; the Kubernetes control plane pinned here.
# The exact version this project builds and tests with (a devDependency; users' programs bring
# their own within the peer range).
pkg_version() { node -p "const p = require('$ROOT/package.json'); (p.devDependencies || {})['$1'] || (p.dependencies || {})['$1']"; }
PULUMI_VERSION="$(pkg_version @pulumi/pulumi)"
K8S_PROVIDER_VERSION="$(pkg_version @pulumi/kubernetes)"
KUBE_VERSION="1.34.2"
ETCD_VERSION="3.6.5"

export GOFLAGS="-mod=mod -buildvcs=false"
export GOTOOLCHAIN=local
export CGO_ENABLED=0
# The checksum database does not answer for some of these versions here; the wrapper's go.sum
# still pins every hash it downloaded.
export GOSUMDB="${GOSUMDB:-off}"

if ! command -v go >/dev/null 2>&1; then
  echo "toolchain: Go is not installed (the engines are built from Go modules); nothing built" >&2
  exit 1
fi

log() { echo "toolchain: $*"; }
summary=()
run_start="$(date +%s)"

# module_json MODULE@VERSION -> `go mod download -json` (Dir, GoMod, Origin), or fails.
module_json() { go mod download -json "$1" 2>/dev/null; }
json_field() { node -e '
  const j = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const v = process.argv[1].split(".").reduce((o, k) => (o == null ? o : o[k]), j);
  if (v == null || (j.Error && process.argv[1] !== "Error")) process.exit(1);
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

cache_mb() { { du -sm "$(go env GOMODCACHE)" "$(go env GOCACHE)" 2>/dev/null || true; } | awk '{s+=$1} END {print s+0}'; }

# piece NAME VERSION BINARIES... -- BUILD_FUNCTION
# Skips when the cached folder is complete; otherwise builds into it, timing the build.
piece() {
  local name="$1" version="$2"; shift 2
  local bins=()
  while [[ "$1" != "--" ]]; do bins+=("$1"); shift; done
  shift
  local builder="$1"
  local dir="$CACHE/$name-$version"
  if [[ -f "$dir/.done" ]]; then
    for b in "${bins[@]}"; do ln -sfn "$dir/bin/$b" "$BIN/$b"; done
    summary+=("$name $version: cached ($(cat "$dir/.done"))")
    return 0
  fi
  rm -rf "$dir"; mkdir -p "$dir/bin" "$dir/src"
  log "building $name $version (one piece at a time; a cold build takes minutes)"
  local before after start secs
  before="$(cache_mb)"; start="$(date +%s)"
  if ! (cd "$dir/src" && "$builder" "$version" "$dir/bin") >"$dir/build.log" 2>&1; then
    if grep -q "403 Forbidden\|not available" "$dir/build.log"; then
      log "LEFT OUT $name $version: the Go module proxy refuses the module ($(grep -m1 -o 'reading [^ ]*' "$dir/build.log" | head -1))"
      summary+=("$name $version: LEFT OUT (module refused by the Go module proxy)")
      rm -rf "$dir/bin"; return 0
    fi
    echo "toolchain: building $name failed; the end of $dir/build.log:" >&2
    tail -n 40 "$dir/build.log" >&2
    return 1
  fi
  secs=$(( $(date +%s) - start )); after="$(cache_mb)"
  local size; size="$(du -sm "$dir/bin" | awk '{print $1}')"
  local note="built in ${secs}s, binaries ${size} MB, Go caches +$((after - before)) MB"
  [[ -f "$dir/nearest" ]] && note="$note, $(cat "$dir/nearest")"
  echo "$note" >"$dir/.done"
  for b in "${bins[@]}"; do ln -sfn "$dir/bin/$b" "$BIN/$b"; done
  log "$name $version: $note"
  summary+=("$name $version: $note")
}

# ---------------------------------------------------------------- Pulumi CLI
build_pulumi() {
  local v="$1" out="$2" j mod
  j="$(module_json "github.com/pulumi/pulumi/pkg/v3@v$v")"
  mod="$(json_field GoMod <<<"$j")"
  {
    echo "module fluvio-spu-toolchain/pulumi"
    echo "go $(go_directive "$mod")"
    echo "require ("
    echo "  github.com/pulumi/pulumi/pkg/v3 v$v"
    echo "  github.com/pulumi/pulumi/sdk/v3 v$v"
    echo ")"
    nonlocal_replaces "$mod"
  } >go.mod
  cat go.mod
  go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$v" \
    -o "$out/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  "$out/pulumi" version
}

# ---------------------------------------------------------------- Node.js language host
build_language_nodejs() {
  local v="$1" out="$2" j hash time pseudo lj lmod
  j="$(module_json "github.com/pulumi/pulumi/pkg/v3@v$v")"
  hash="$(json_field Origin.Hash <<<"$j")"
  # No tags of its own: the proxy resolves the commit the pkg/v3 tag sits on.
  lj="$(go list -m -json "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3@$hash" 2>&1)" \
    || { echo "$lj"; return 1; }
  pseudo="$(json_field Version <<<"$lj")"
  lmod="$(json_field GoMod <<<"$lj")"
  {
    echo "module fluvio-spu-toolchain/language-nodejs"
    echo "go $(go_directive "$lmod")"
    echo "require ("
    echo "  github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 $pseudo"
    echo "  github.com/pulumi/pulumi/pkg/v3 v$v"
    echo "  github.com/pulumi/pulumi/sdk/v3 v$v"
    echo ")"
    nonlocal_replaces "$lmod"
  } >go.mod
  go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$v" \
    -o "$out/pulumi-language-nodejs" github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
}

# ---------------------------------------------------------------- Kubernetes provider
build_kubernetes_provider() {
  local v="$1" out="$2" j mod dir
  j="$(go mod download -json "github.com/pulumi/pulumi-kubernetes/provider/v4@v$v" 2>&1)" || { echo "$j"; return 1; }
  mod="$(json_field GoMod <<<"$j")"; dir="$(json_field Dir <<<"$j")"
  local schema="$dir/cmd/pulumi-resource-kubernetes/schema.json"
  [[ -f "$schema" ]] || { echo "no schema.json in $dir/cmd/pulumi-resource-kubernetes"; return 1; }
  {
    echo "module fluvio-spu-toolchain/kubernetes-provider"
    echo "go $(go_directive "$mod")"
    echo "require github.com/pulumi/pulumi-kubernetes/provider/v4 v$v"
    nonlocal_replaces "$mod"
  } >go.mod
  cp "$schema" schema.json
  cat >main.go <<'GO'
// Serves the Kubernetes provider with the schema the provider module ships.
// Unverified: the proxy has never served this module here, so this main was never compiled;
// match provider.Serve's signature of that version when it is.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema.json
var schema []byte

func main() { provider.Serve("kubernetes", version.Version, schema, nil) }
GO
  go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=v$v" \
    -o "$out/pulumi-resource-kubernetes" .
}

# ---------------------------------------------------------------- etcd
build_etcd() {
  local v="$1" out="$2" j mod hash
  j="$(module_json "go.etcd.io/etcd/server/v3@v$v")"
  mod="$(json_field GoMod <<<"$j")"
  hash="$(json_field Origin.Hash <<<"$j" || true)"
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
  # The version is the api module's constant; the commit only when the proxy names it (it
  # often does not for etcd: then etcd says so itself).
  go build -trimpath -ldflags "-s -w${hash:+ -X go.etcd.io/etcd/api/v3/version.GitSHA=${hash:0:12}}" -o "$out/etcd" .
  "$out/etcd" --version
}

# ---------------------------------------------------------------- kube-apiserver, kube-controller-manager
build_kube() {
  local v="$1" out="$2" j mod hash minor
  j="$(module_json "k8s.io/kubernetes@v$v")"
  mod="$(json_field GoMod <<<"$j")"
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
  cat go.mod | tail -n 40
  local x ldflags="-s -w"
  for x in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $x.gitVersion=v$v -X $x.gitMajor=1 -X $x.gitMinor=$minor"
    ldflags+=" -X $x.gitCommit=$hash -X $x.gitTreeState=clean -X $x.buildDate=1970-01-01T00:00:00Z"
  done
  go build -trimpath -ldflags "$ldflags" -o "$out/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
  "$out/kube-apiserver" --version
}

piece pulumi "$PULUMI_VERSION" pulumi -- build_pulumi
piece pulumi-language-nodejs "$PULUMI_VERSION" pulumi-language-nodejs -- build_language_nodejs
piece pulumi-resource-kubernetes "$K8S_PROVIDER_VERSION" pulumi-resource-kubernetes -- build_kubernetes_provider
piece etcd "$ETCD_VERSION" etcd -- build_etcd
piece kubernetes "$KUBE_VERSION" kube-apiserver kube-controller-manager -- build_kube

echo "toolchain: .toolchain/bin/ ($CACHE), this run took $(( $(date +%s) - run_start ))s"
for s in "${summary[@]}"; do echo "  $s"; done
