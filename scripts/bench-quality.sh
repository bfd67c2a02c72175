#!/usr/bin/env bash
# Quality against the tutorial on the same data (docs/QUALITY.md). The pipeline (./pipeline up: ingest, the
# trainer-service, checkpoints in S3) and the tutorial's own training code (scripts/bench_quality.py, Debian's
# python3-torch on 2 threads) train the same sample for the same number of steps with the same batch size;
# then one numpy SWD scores G and G_ema of the trainer and the tutorial's G against the same held-back images,
# and their curves go on one plot.
#   scripts/bench-quality.sh [images=8192] [epochs=5]      results in target/quality/
# Needs python3-torch, python3-torchvision, python3-numpy and python3-matplotlib (Debian), and ports
# 8080-8082, 9000, 9092-9093 free (it runs ./pipeline up). About (images x epochs / 30) seconds on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-8192}; epochs=${2:-5}
out=target/quality; mkdir -p "$out"
data=$(mktemp -d)
run=auto-sample-$n
lscpu | grep -E "Model name" | sed 's/  */ /g'
echo "== the pipeline: $n procedural faces, $epochs epochs"
./pipeline up --images "$n" --epochs "$epochs" --data "$data" > "$out/pipeline.log" 2>&1 &
pid=$!
# SIGTERM: a background job of a script ignores SIGINT; the launcher stops in order on either.
trap 'pkill -TERM -P $pid 2>/dev/null; kill -TERM $pid 2>/dev/null || true' EXIT
started=$(date +%s)
status() {
  python3 - "$run" <<'PY'
import json, sys, urllib.request
try:
    print(json.load(urllib.request.urlopen("http://localhost:8082/api/training-runs/" + sys.argv[1], timeout=5))["status"])
except Exception:
    print("starting")
PY
}
while true; do
  s=$(status)
  [[ $s == completed ]] && break
  [[ $s == failed || $s == cancelled ]] && { echo "the run ended $s"; tail -20 "$out/pipeline.log"; exit 1; }
  kill -0 $pid 2>/dev/null || { echo "./pipeline up exited"; tail -20 "$out/pipeline.log"; exit 1; }
  sleep 10
done
echo "trained in $(( $(date +%s) - started )) s (ingest and start-up included)"
pkill -TERM -P $pid 2>/dev/null; kill -TERM $pid 2>/dev/null; wait $pid || true; trap - EXIT

ck="$data/s3/buckets/faces-checkpoints/$run"
ds="$data/s3/buckets/faces-datasets/sample-$n"
last=$(printf "epoch-%04d" "$epochs")
steps=$(python3 -c "import json; print(json.load(open('$ck/run.json'))['step'])")
held=$(python3 -c "import json; print(json.load(open('$ck/$last/metrics.json'))['swdImages'])")
cp "$ck/metrics.jsonl" "$out/trainer-metrics.jsonl"
for e in $(seq 1 "$epochs"); do
  d=$(printf "epoch-%04d" "$e")
  cp "$ck/$d/samples.png" "$out/trainer-$d-samples.png"
  cp "$ck/$d/samples-ema.png" "$out/trainer-$d-samples-ema.png"
done
echo "== the tutorial's training, same shards minus the same $held held-back images, $steps steps of 128"
mkdir -p "$out/tutorial"
/usr/bin/python3 scripts/bench_quality.py train "$ds" "$held" "$steps" 128 "$out/tutorial"
echo "== one numpy SWD for all, $held generated against the $held held-back images"
/usr/bin/python3 scripts/bench_quality.py score "$ds" "$held" "$out/swd.json" \
  "trainer G=$ck/$last/generator.safetensors" "trainer G_ema=$ck/$last/generator-ema.safetensors" \
  "tutorial G=$out/tutorial/generator.pt"
echo "== the trainer's own SWD per epoch (G, G_ema; floor)"
python3 - "$out/trainer-metrics.jsonl" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    m = json.loads(l)
    if m.get("type") == "epoch":
        print("epoch %d step %d: G %.1f  G_ema %s  floor %.1f" % (m["epoch"], m["step"], m["swd"],
              "%.1f" % m["swdEma"] if "swdEma" in m else "-", m.get("swdFloor", float("nan"))))
PY
/usr/bin/python3 scripts/bench_quality.py plot "$out/trainer-metrics.jsonl" "$out/tutorial/metrics.jsonl" "$out/curves.png"
rm -rf "$data"
