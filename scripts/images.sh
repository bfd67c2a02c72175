#!/usr/bin/env bash
# ./pipeline images: builds the three JVM images (faces/<service>:TAG) from their Dockerfiles with podman, and
# prints their sizes.
#   scripts/images.sh [--base official|debian] [--no-build] [--tag TAG]
# --base official  the Dockerfiles' pinned official bases (a registry must be reachable);
#        debian    a JRE base made here from Debian's packages (debootstrap, the machine's own apt mirror):
#                  faces/jre-base:bookworm-<BASE_VERSION>, made once and kept in podman's store;
#        default   official if podman has or can pull those bases, else debian.
# --no-build       use what Maven packaged already (target/quarkus-app) instead of running Maven first.
# --base-only      only make the Debian JRE base, if podman's store lacks it (scripts/test-machine.sh does this,
#                  so that the container test downloads nothing).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SERVICES=(ingest-service trainer-service generator-service)
TAG=0.1.0 # the tag deploy/k8s/base's workloads run
BASE=auto
BUILD=1
BASE_ONLY=0
# Raise when the package list below changes: an older base in the store is then made again.
BASE_VERSION=1
DEBIAN_BASE="faces/jre-base:bookworm-$BASE_VERSION"
BASE_PACKAGES=openjdk-17-jre-headless,libjpeg62-turbo,ca-certificates

while (($#)); do
  case "$1" in
    --base) BASE="${2:?--base needs official or debian}"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --base-only) BASE_ONLY=1; shift ;;
    --tag) TAG="${2:?--tag needs a value}"; shift 2 ;;
    *) echo "images: unknown option $1" >&2; exit 2 ;;
  esac
done

command -v podman >/dev/null 2>&1 || {
  echo "images: podman is not installed (Debian: apt-get install podman catatonit runc)." >&2; exit 2; }
# runc and ulimits that every host takes; the machine's own containers.conf is left alone.
[[ "${CONTAINERS_CONF:-}" == /* ]] || export CONTAINERS_CONF="$ROOT/deploy/podman/containers.conf"

official_bases() {
  sed -n 's/^ARG RUNTIME_IMAGE=//p' "${SERVICES[@]/%//src/main/docker/Dockerfile.jvm}" | sort -u
}

have_official_bases() {
  local image
  for image in $(official_bases); do
    podman image exists "$image" && continue
    timeout 120 podman pull -q "$image" >/dev/null 2>&1 || return 1
  done
}

# The Debian archive this machine installs from, read from its apt sources (deb822 or one-line format).
apt_mirror() {
  local m
  m=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [[ -n "$m" ]] || m=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' \
      /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
  [[ -n "$m" ]] || { echo "images: no Debian mirror found in /etc/apt/sources.list*" >&2; exit 2; }
  echo "$m"
}

make_debian_base() {
  podman image exists "$DEBIAN_BASE" && { echo "JRE base $DEBIAN_BASE: in podman's store"; return; }
  command -v debootstrap >/dev/null 2>&1 || {
    echo "images: debootstrap is needed to make the JRE base (Debian: apt-get install debootstrap)." >&2; exit 2; }
  local dir mirror t0=$SECONDS
  dir=$(mktemp -d /var/tmp/faces-jre-base.XXXXXX)
  BASE_WORK_DIR=$dir
  trap 'rm -rf "${BASE_WORK_DIR:-}"' EXIT
  mirror=$(apt_mirror)
  echo "Making the JRE base $DEBIAN_BASE from Debian's packages ($BASE_PACKAGES) ..."
  debootstrap --variant=minbase --include="$BASE_PACKAGES" bookworm "$dir/root" "$mirror" >"$dir/debootstrap.log" 2>&1 \
    || { tail -20 "$dir/debootstrap.log" >&2; exit 1; }
  # What a runtime does not need: package caches, lists and documentation.
  rm -rf "$dir"/root/var/cache/apt/archives/*.deb "$dir"/root/var/lib/apt/lists/* \
         "$dir"/root/usr/share/doc "$dir"/root/usr/share/man "$dir"/root/usr/share/locale
  tar -C "$dir/root" -c . | podman import -q \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'ENV LANG=C.UTF-8' - "$DEBIAN_BASE" >/dev/null
  echo "JRE base $DEBIAN_BASE made in $((SECONDS - t0)) s"
}

if ((BASE_ONLY)); then
  make_debian_base
  exit 0
fi

if ((BUILD)); then
  echo "Packaging ${SERVICES[*]} with Maven ..."
  mvn -B -q -DskipTests -pl "$(IFS=,; echo "${SERVICES[*]}")" -am package
fi
for s in "${SERVICES[@]}"; do
  [[ -f "$s/target/quarkus-app/quarkus-run.jar" ]] || {
    echo "images: $s/target/quarkus-app is missing: run without --no-build, or mvn package first." >&2; exit 2; }
done

build_args=()
case "$BASE" in
  official) ;;
  debian) make_debian_base; build_args=(--build-arg "RUNTIME_IMAGE=localhost/$DEBIAN_BASE") ;;
  auto)
    if have_official_bases; then
      echo "Bases: the Dockerfiles' official ones ($(official_bases | tr '\n' ' '))"
    else
      echo "Bases: no registry reachable, so a JRE base from Debian's packages"
      make_debian_base; build_args=(--build-arg "RUNTIME_IMAGE=localhost/$DEBIAN_BASE")
    fi ;;
  *) echo "images: --base is official or debian, not $BASE" >&2; exit 2 ;;
esac

for s in "${SERVICES[@]}"; do
  t0=$SECONDS
  podman build -q --network host "${build_args[@]}" -f "$s/src/main/docker/Dockerfile.jvm" -t "faces/$s:$TAG" "$s" >/dev/null
  echo "built faces/$s:$TAG in $((SECONDS - t0)) s"
done
echo "Images:"
for s in "${SERVICES[@]}"; do
  podman image inspect --format "  faces/$s:$TAG  {{.Size}}" "faces/$s:$TAG" \
    | awk '{printf "  %-32s %5.0f MB\n", $1, $2 / 1e6}'
done
