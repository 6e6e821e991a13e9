#!/usr/bin/env bash
# Builds the two Fluvio images from prebuilt Fluvio binaries (`fluvio-run`, `fluvio`), with no
# registry and no Dockerfile: `docker import` of a small root filesystem.
#
#   images/fluvio-engines/build.sh                 # binaries from .toolchain/bin (npm run toolchain)
#   images/fluvio-engines/build.sh --bin /opt/fluvio/bin
#   images/fluvio-engines/build.sh --fluvio-tag my/fluvio:0.18.1 --cli-tag my/fluvio-cli:0.18.1
#
# Two images, printed on stdout as `fluvio=<tag>` and `cli=<tag>`:
#   fluvio  fluvio-spu/fluvio:0.18.1      stands in for infinyon/fluvio:0.18.1 (images.fluvio):
#                                         /fluvio-run (SC and SPU), /bin/sh, `nc -z` for the health check
#   cli     fluvio-spu/fluvio-cli:0.18.1  the registration CLI image (images.cli): `fluvio` on the
#                                         PATH, /bin/sh (what images/fluvio-cli builds from the internet)
# Each root filesystem holds the binary, glibc as this machine has it (libc, libm, libgcc_s and
# the loader, the only libraries the binaries link), Debian's busybox-static (sh and the usual
# tools) and netcat-openbsd's `nc` (busybox's Debian build has no `nc -z`).
#
# Idempotent: an image is skipped when one with the same content digest (label
# fluvio-spu.engines.digest: the checksums of every file put in it) already exists.
# Exit codes: 0 built or up to date; 2 usage; 3 a binary or a needed package is missing;
# 1 the import failed; 127 docker is not installed.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/../lib.sh
source "$HERE/../lib.sh"

usage="usage: images/fluvio-engines/build.sh [--bin <dir with fluvio-run and fluvio>] [--fluvio-tag <tag>] [--cli-tag <tag>]"
bin="${FLUVIO_SPU_FLUVIO_BIN:-$FLUVIO_SPU_PACKAGE_DIR/.toolchain/bin}"
fluvio_tag="fluvio-spu/fluvio:0.18.1"
cli_tag="fluvio-spu/fluvio-cli:0.18.1"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin) [[ $# -ge 2 ]] || fail 2 "--bin needs a folder; $usage"; bin="$2"; shift 2 ;;
    --fluvio-tag) [[ $# -ge 2 ]] || fail 2 "--fluvio-tag needs a tag; $usage"; fluvio_tag="$2"; shift 2 ;;
    --cli-tag) [[ $# -ge 2 ]] || fail 2 "--cli-tag needs a tag; $usage"; cli_tag="$2"; shift 2 ;;
    -h | --help) echo "$usage"; exit 0 ;;
    *) fail 2 "unknown argument $1; $usage" ;;
  esac
done

for name in fluvio-run fluvio; do
  [[ -x "$bin/$name" ]] || fail 3 "$bin/$name is missing: run npm run toolchain (it checks the binaries against ../shared/engines/SHA256SUMS), or pass --bin <folder>"
done
BUSYBOX=/bin/busybox
NC=/usr/bin/nc.openbsd
[[ -x "$BUSYBOX" ]] && ! ldd "$BUSYBOX" >/dev/null 2>&1 || fail 3 "$BUSYBOX (static) is missing: apt-get install busybox-static"
[[ -x "$NC" ]] || fail 3 "$NC is missing: apt-get install netcat-openbsd"
command -v ldd >/dev/null 2>&1 || fail 3 "ldd is missing (Debian's libc-bin)"
require_docker

# The shared libraries a binary links, with the loader, as absolute paths on this machine.
libraries() { ldd "$1" | grep -oE '/[^ ]+' | sort -u; }

# build_image TAG ENTRY_BINARY DEST [ENV...]: one root filesystem, imported when its digest is new.
build_image() {
  local tag="$1" binary="$2" dest="$3"; shift 3
  local files=("$(readlink -f "$binary")" "$BUSYBOX" "$NC")
  local lib
  while IFS= read -r lib; do files+=("$lib"); done < <( { libraries "$binary"; libraries "$NC"; } | sort -u)
  local digest
  digest="$( { echo "layout 1 $dest $*"; for f in "${files[@]}"; do sha256sum "$(readlink -f "$f")" | awk -v p="$f" '{print $1, p}'; done; } | sha256sum | cut -c1-32)"
  local current
  current="$(docker image inspect --format '{{index .Config.Labels "fluvio-spu.engines.digest"}}' "$tag" 2>/dev/null || true)"
  if [[ "$current" == "$digest" ]]; then
    echo "fluvio-spu: $tag is up to date ($digest)" >&2
    return 0
  fi
  local root
  root="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand now: the folder of this call
  trap "rm -rf '$root'" RETURN
  mkdir -p "$root/bin" "$root/usr/bin" "$root/usr/local/bin" "$root/etc" "$root/tmp" "$root/root" "$root/var/lib/fluvio/data"
  chmod 1777 "$root/tmp"
  install -m 0755 "$binary" "$root$dest"
  install -m 0755 "$BUSYBOX" "$root/bin/busybox"
  local applet
  for applet in $("$BUSYBOX" --list); do
    [[ "$applet" == busybox || "$applet" == nc ]] && continue
    ln -s busybox "$root/bin/$applet"
  done
  install -m 0755 "$NC" "$root/usr/bin/nc"
  for lib in $( { libraries "$binary"; libraries "$NC"; } | sort -u); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
  local changes=(--change "LABEL fluvio-spu.engines.digest=$digest" --change "ENV PATH=/usr/local/bin:/usr/bin:/bin" --change "WORKDIR /")
  local change
  for change in "$@"; do changes+=(--change "$change"); done
  tar -C "$root" --owner=0 --group=0 --numeric-owner -c . | docker import "${changes[@]}" - "$tag" >/dev/null \
    || fail 1 "docker import of $tag failed (see above)"
  echo "fluvio-spu: built $tag ($digest)" >&2
}

build_image "$fluvio_tag" "$bin/fluvio-run" /fluvio-run \
  'CMD ["/fluvio-run"]' \
  "LABEL org.opencontainers.image.title=fluvio org.opencontainers.image.version=$("$bin/fluvio-run" version 2>/dev/null | awk '/Platform Version/ {print $3}')"
build_image "$cli_tag" "$bin/fluvio" /usr/local/bin/fluvio \
  'CMD ["fluvio", "version"]' \
  "LABEL org.opencontainers.image.title=fluvio-cli"
echo "fluvio=$fluvio_tag"
echo "cli=$cli_tag"
