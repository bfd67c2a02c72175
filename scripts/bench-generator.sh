#!/usr/bin/env bash
# Generator benchmark (docs/BENCHMARKS.md): the pure-Java forward pass against DJL's forward of the same
# weights in the same JVM, one face and batch 64, and the micro-batcher under 16 concurrent clients. Then, in a
# second JVM, the plain-Java pass that a native image runs (no Vector API).
set -euo pipefail
cd "$(dirname "$0")/.."
lscpu | grep -E "Model name" | sed 's/  */ /g'
echo "CPU flags: $(grep -o -w 'avx2\|avx512f\|avx512bw\|fma' /proc/cpuinfo | sort -u | tr '\n' ' ')"
mvn -q -B -pl trainer-service,generator-service -am install -DskipTests
mvn -q -B -pl trainer-service dependency:build-classpath -Dmdep.outputFile=target/bench.cp
cp="trainer-service/target/classes:generator-service/target/classes:$(cat trainer-service/target/bench.cp)"
mkdir -p target/bench
javac --add-modules jdk.incubator.vector -d target/bench -cp "$cp" bench/GeneratorBench.java
java -Xmx4g --add-modules jdk.incubator.vector -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=2 -Dai.djl.pytorch.num_interop_threads=1 \
  -cp "target/bench:$cp" GeneratorBench 2>&1 | grep -E "^RESULT"
echo "plain-Java pass (what a native image runs):"
java -Xmx4g --add-modules jdk.incubator.vector -Dfaces.generator.scalar-gemm=true -Dbench.plain-only=true \
  -Dai.djl.offline=true -cp "target/bench:$cp" GeneratorBench 2>&1 | grep -E "^RESULT"
