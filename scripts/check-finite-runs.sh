#!/usr/bin/env bash
# The trainer's numerical soundness under load (docs/TRAINER.md): RUNS one-epoch runs of the tutorial's
# hyper-parameters on IMAGES procedural faces from `./pipeline sample` (500 held back, so 2,000 faces give 12
# steps of 128), with a busy loop on every core (nice 19), each run's G, G_ema, D, Adam state and SWDs checked finite.
# Usage: scripts/check-finite-runs.sh [runs=10] [images=2000] [first-seed=999]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}; images=${2:-2000}; seed=${3:-999}
lscpu | grep -E "Model name" | sed 's/  */ /g'
echo "CPU flags: $(grep -o -w 'avx2\|avx512f\|avx512bw\|avx512_vnni\|avx512_bf16\|fma' /proc/cpuinfo | sort -u | tr '\n' ' ')"
if [[ -z "${SKIP_BUILD:-}" ]]; then
  mvn -q -B -pl trainer-service,ingest-service -am install -DskipTests
  mvn -q -B -pl trainer-service dependency:build-classpath -Dmdep.outputFile=target/bench.cp
fi
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
# At nice 19: they take every cycle the training leaves and preempt it throughout, without starving it (at the
# same priority, libtorch's OpenMP threads spin at their barriers against them and a run takes an hour here).
for _ in $(seq "$(nproc)"); do nice -n 19 bash -c 'while :; do :; done' & busy+=($!); done
trap 'kill "${busy[@]}" 2>/dev/null || true' EXIT
echo "busy loops: ${#busy[@]} (pids ${busy[*]})"
# Runs are split over one JVM per core, one libtorch thread each: OpenMP threads that share a loaded core spin at
# their barriers and a step then costs several times its CPU.
jvms=$(nproc); per=$(( (runs + jvms - 1) / jvms ))
out=$(mktemp -d); echo "each JVM writes to $out"
checks=()
for ((j = 0; j < jvms; j++)); do
  first=$((j * per)); n=$(( runs - first < per ? runs - first : per ))
  (( n > 0 )) || continue
  OMP_WAIT_POLICY=PASSIVE java -Xmx4g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 \
    -Dai.djl.pytorch.num_interop_threads=1 -cp "target/bench:$cp" FiniteRunsCheck \
    "$faces/img_align_celeba" "$n" "$((seed + first))" "$first" > "$out/$j.txt" 2>&1 &
  checks+=($!)
done
wait "${checks[@]}" # not the busy loops
echo "| run | seed | steps | Loss_D | Loss_G | SWD G | SWD G_ema | tensors checked | all finite | s |"
echo "|---|---|---|---|---|---|---|---|---|---|"
cat "$out"/*.txt | grep -E "^\| [0-9]" | sort -t'|' -k2 -n
failed=$(cat "$out"/*.txt | sed -n 's/^RESULT runs=[0-9]* failed=//p' | paste -sd+ | bc)
echo "RESULT runs=$runs failed=$failed"
[[ "$failed" == 0 ]]
