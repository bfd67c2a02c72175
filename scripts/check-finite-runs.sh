#!/usr/bin/env bash
# The trainer's numerical soundness under load (docs/TRAINER.md): RUNS one-epoch runs of the tutorial's
# hyper-parameters on IMAGES procedural faces from `./pipeline sample` (500 held back, so 2,000 faces give 12
# steps of 128), with a busy loop on every core, each run's G, G_ema, D, Adam state and SWDs checked finite.
# Usage: scripts/check-finite-runs.sh [runs=10] [images=2000] [first-seed=999]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}; images=${2:-2000}; seed=${3:-999}
lscpu | grep -E "Model name" | sed 's/  */ /g'
echo "CPU flags: $(grep -o -w 'avx2\|avx512f\|avx512bw\|avx512_vnni\|avx512_bf16\|fma' /proc/cpuinfo | sort -u | tr '\n' ' ')"
mvn -q -B -pl trainer-service,ingest-service -am install -DskipTests
mvn -q -B -pl trainer-service dependency:build-classpath -Dmdep.outputFile=target/bench.cp
# A private copy of the classes, so that a build while the check runs does not change them under it.
snapshot=target/finite-check-classes
rm -rf "$snapshot" && mkdir -p "$snapshot"
cp -r trainer-service/target/classes "$snapshot/trainer" && cp -r ingest-service/target/classes "$snapshot/ingest"
deps=""
for jar in $(tr ':' ' ' < trainer-service/target/bench.cp); do
  cp "$jar" "$snapshot/" 2>/dev/null && deps="$deps:$snapshot/$(basename "$jar")"
done
cp="$snapshot/trainer:$snapshot/ingest$deps"
mkdir -p target/bench
javac -d target/bench -cp "$cp" bench/FiniteRunsCheck.java
faces="target/finite-check-$images"
[[ -d "$faces/img_align_celeba" ]] || ./pipeline sample "$faces" --images "$images" >/dev/null
busy=()
for _ in $(seq "$(nproc)"); do (while :; do :; done) & busy+=($!); done
trap 'kill "${busy[@]}" 2>/dev/null || true' EXIT
echo "busy loops: ${#busy[@]} (pids ${busy[*]})"
java -Xmx6g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$(nproc)" -Dai.djl.pytorch.num_interop_threads=1 \
  -cp "target/bench:$cp" FiniteRunsCheck \
  "$faces/img_align_celeba" "$runs" "$seed" 2>&1 | grep -E "^\||^RESULT"
