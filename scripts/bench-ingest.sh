#!/usr/bin/env bash
# Ingest benchmark (docs/BENCHMARKS.md): the ingest end to end into a real S3 server (and Kafka) against the
# tutorial's torchvision DataLoader (num_workers=2) on the same images, same machine, one run.
#   scripts/bench-ingest.sh [images=4000]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-4000}
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
mvn -q -B -pl ingest-service -am install -DskipTests
mvn -q -B -pl ingest-service dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.cp
cp="ingest-service/target/classes:$(cat ingest-service/target/bench.cp)"
java -cp local-stack/target/classes dev.faces.stack.SampleFaces "$data" --images "$n"
rm -f "$data/list_eval_partition.txt"
mkdir -p target/bench
javac -d target/bench -cp "$cp" bench/IngestBench.java bench/IngestStagesBench.java
lscpu | grep -E "Model name" | sed 's/  */ /g'
echo "CPU flags: $(grep -o -w 'avx2\|avx512f\|avx512bw\|sha_ni' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "== where one image's time goes (one thread, files in memory)"
java -Xmx2g -cp "target/bench:$cp" IngestStagesBench "$data" 2>&1 | grep -E "^STAGE|^JPEG"
echo "== ingest-service (Java, all cores; four runs in one JVM: the JIT settles by the third)"
java -Xmx2g -Dbench.runs=4 -cp "target/bench:$cp" IngestBench "$data" 2>&1 | grep -E "^RESULT"
# The ingest's S3 server wrote about a gigabyte: let the kernel write it back, and the servers exit (for up to
# 30 s: another stack may be running), before the reference runs, so that neither slows the reference down.
sync
for _ in $(seq 30); do pgrep -f "org.gaul.s3proxy.Main|kafka.Kafka" > /dev/null || break; sleep 1; done
echo "== the tutorial's torchvision DataLoader"
/usr/bin/python3 scripts/bench_torchvision_loader.py "$data"
