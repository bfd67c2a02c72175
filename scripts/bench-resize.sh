#!/usr/bin/env bash
# The native resize's kernels alone (docs/BENCHMARKS.md): each pass of one CelebA image, scalar, AVX2 and (where
# the CPU has VBMI and VNNI) AVX-512, after checking that they agree. Needs gcc and libjpeg-turbo's headers, as
# the Maven build does.
set -euo pipefail
cd "$(dirname "$0")/.."
src=ingest-service/src/main/c
mkdir -p target/bench
gcc -O3 -Wall -I"$src" -o target/bench/resize_kernels bench/resize_kernels.c "$src/resize.c" "$src/resize_avx512.c" -lm
lscpu | grep -E "Model name" | sed 's/  */ /g'
echo "CPU flags: $(grep -o -w 'avx2\|avx512bw\|avx512vbmi\|avx512_vnni' /proc/cpuinfo | sort -u | tr '\n' ' ')"
target/bench/resize_kernels
