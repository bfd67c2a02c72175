#!/usr/bin/env bash
# Makes a fresh machine ready for every test, then checks it: what the tests need beyond a JDK 17, Maven, git,
# gcc and kubectl comes from Debian's packages, and nothing from anywhere else.
#   gcc, libjpeg62-turbo-dev  the ingest's native JPEG decoder is built from libjpeg-turbo's headers
#   kcat                      the end-to-end test runs the README's kcat one-liner as a person would
#   docker-compose            'docker-compose config' validates deploy/compose/compose.yaml (no engine needed)
#   chromium, chromium-driver the gallery's browser test
#   podman, runc, catatonit   the container test builds the three images and runs them from the manifests
#   debootstrap               ... on a JRE base made from Debian's packages when no registry is reachable
# It also needs kubectl (deploy-checks renders deploy/ with it) and a JDK 21+ for Strimzi's model
# (Temurin 25 at /usr/lib/jvm/temurin-25-jdk-amd64, or DEPLOY_CHECKS_JVM): both are on the machine, never fetched.
set -euo pipefail

missing=()
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
[[ -f /usr/include/jpeglib.h ]] || missing+=(libjpeg62-turbo-dev)
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
[[ -x /usr/bin/chromedriver ]] || missing+=(chromium-driver)
command -v podman >/dev/null 2>&1 || missing+=(podman)
command -v runc >/dev/null 2>&1 || missing+=(runc)
command -v catatonit >/dev/null 2>&1 || [[ -x /usr/libexec/podman/catatonit ]] || missing+=(catatonit)
command -v debootstrap >/dev/null 2>&1 || [[ -x /usr/sbin/debootstrap ]] || missing+=(debootstrap)
if (( ${#missing[@]} )); then
  echo "installing from Debian's packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v kubectl >/dev/null 2>&1; then
  echo "kubectl is not on the PATH: deploy-checks renders every overlay with 'kubectl kustomize'." >&2
  echo "Install kubectl (1.27 or newer, which has kustomize built in) and run again." >&2
  exit 1
fi
DEPLOY_CHECKS_JVM=${DEPLOY_CHECKS_JVM:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
if [[ ! -x "$DEPLOY_CHECKS_JVM" ]]; then
  echo "deploy-checks needs a Java 21+ runtime for Strimzi's model: $DEPLOY_CHECKS_JVM is missing." >&2
  echo "Install a JDK 21 or newer and set DEPLOY_CHECKS_JVM to its bin/java." >&2
  exit 1
fi

# The container test's JRE base, made once from Debian's packages and kept in podman's store, so that the test
# itself downloads nothing.
"$(dirname "$0")/images.sh" --base-only

java -version 2>&1 | sed -n 1p
mvn -version 2>&1 | sed -n 1p
kubectl version --client 2>&1 | sed -n 1p
"$DEPLOY_CHECKS_JVM" -version 2>&1 | sed -n 1p
kcat -V 2>&1 | sed -n 1p
docker-compose version 2>&1 | sed -n 1p
/usr/bin/chromedriver --version 2>&1 | sed -n 1p
podman --version 2>&1 | sed -n 1p
