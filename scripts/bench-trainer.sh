#!/usr/bin/env bash
# Trainer step benchmark (docs/BENCHMARKS.md): service loop vs bare DJL loop vs the tutorial on PyTorch,
# in one run, on this machine's cores.  Usage: scripts/bench-trainer.sh [batch=128] [steps=8]
set -euo pipefail
cd "$(dirname "$0")/.."
batch=${1:-128}; steps=${2:-8}
mvn -q -B -pl trainer-service -am install -DskipTests
mvn -q -B -pl trainer-service test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp
cp="trainer-service/target/classes:trainer-service/target/test-classes:$(cat trainer-service/target/bench.cp)"
echo "== DJL (libtorch 2.7.1), 2 threads"
java -Xmx4g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=2 -Dai.djl.pytorch.num_interop_threads=1 \
  -cp "$cp" dev.faces.trainer.TrainerBenchmark "$batch" "$steps" 2>&1 | grep -vE "WARN|INFO"
echo "== the tutorial on Debian's torch, 2 threads"
/usr/bin/python3 scripts/bench_tutorial_step.py "$batch" 4 2
