/*
 * scripts/bench-resize.sh: the native resize's kernels (ingest-service/src/main/c), each pass timed alone on
 * CelebA's shape (178 x 218 -> Resize(64) -> 64 x 78, 183 source rows), and checked against the scalar path on
 * random rows of several widths first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "resize.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int check_horizontal(int w, int avx512) {
    int ow = SIZE, stride = (int) (2.0 * (double) w / ow + 3);
    coefficients k;
    int *storage = malloc(sizeof(int) * SIZE * stride);
    compute_coefficients(w, ow, 0, SIZE, &k, storage, stride);
    padded_coefficients *padded = aligned_alloc(64, sizeof *padded);
    wide_coefficients *wide = aligned_alloc(64, sizeof *wide);
    int has2 = pad_coefficients(&k, w, padded), has512 = avx512 && widen_coefficients(&k, NULL, wide);
    unsigned char *row = malloc(4 * w + 192), *scratch = malloc(3 * w + 64);
    short *words = aligned_alloc(64, sizeof(short) * 3 * (((w + 31) & ~31) + 64));
    unsigned char want[3][SIZE], got[3][SIZE];
    int bad = 0;
    for (int t = 0; t < 2000; t++) {
        for (int i = 0; i < 3 * w; i++) row[i] = (unsigned char) (t % 3 ? rand() : (rand() & 1) * 255);
        horizontal_scalar(row, &k, 0, want[0], want[1], want[2]);
        if (has2) {
            horizontal_avx2(row, w, padded, scratch, got[0], got[1], got[2]);
            bad += memcmp(want, got, sizeof want) != 0;
        }
        if (has512) {
            horizontal_avx512(row, w, wide, words, ((w + 31) & ~31) + 64, got[0], got[1], got[2]);
            bad += memcmp(want, got, sizeof want) != 0;
        }
    }
    return bad;
}

int main(void) {
    int avx512 = avx512_supported();
    int widths[] = {178, 100, 150, 200, 220, 65, 120, 179};
    int bad = 0;
    for (unsigned i = 0; i < sizeof widths / sizeof *widths; i++) bad += check_horizontal(widths[i], avx512);
    printf("RESIZE kernels agree with the scalar path: %s (%d mismatching rows)\n", bad ? "NO" : "yes", bad);

    int w = 178, h = 218, oh = 78, rows = 183, reps = 5000;
    coefficients kx, ky;
    int storage[SIZE * 16];
    compute_coefficients(w, SIZE, 0, SIZE, &kx, storage, 8);
    compute_coefficients(h, oh, 7, SIZE, &ky, storage + SIZE * 8, 8);
    padded_coefficients *padded = aligned_alloc(64, sizeof *padded);
    wide_coefficients *wide = aligned_alloc(64, sizeof *wide);
    pad_coefficients(&kx, w, padded);
    if (avx512) widen_coefficients(&kx, &ky, wide);
    unsigned char *row = malloc(4 * w + 192), *scratch = malloc(3 * w + 64), *planes = malloc(3 * 200 * SIZE);
    short *words = aligned_alloc(64, sizeof(short) * 3 * 256);
    for (int i = 0; i < 4 * w + 192; i++) row[i] = (unsigned char) rand();
    for (int i = 0; i < 3 * 200 * SIZE; i++) planes[i] = (unsigned char) rand();
    unsigned char out[3][SIZE], image[3 * SIZE * SIZE];
    double t0 = now();
    for (int r = 0; r < reps; r++) for (int y = 0; y < rows; y++) horizontal_scalar(row, &kx, 0, out[0], out[1], out[2]);
    double t1 = now();
    for (int r = 0; r < reps; r++) for (int y = 0; y < rows; y++) horizontal_avx2(row, w, padded, scratch, out[0], out[1], out[2]);
    double t2 = now();
    printf("RESIZE horizontal pass, one image (%d rows of %d px): scalar %.1f us, AVX2 %.1f us", rows, w,
           (t1 - t0) / reps * 1e6, (t2 - t1) / reps * 1e6);
    if (avx512) {
        for (int r = 0; r < reps; r++) for (int y = 0; y < rows; y++) horizontal_avx512(row, w, wide, words, 256, out[0], out[1], out[2]);
        printf(", AVX-512 %.1f us", (now() - t2) / reps * 1e6);
    }
    printf("\n");
    t0 = now();
    for (int r = 0; r < reps; r++) for (int c = 0; c < 3; c++) for (int y = 0; y < SIZE; y++)
        vertical(planes + (size_t) (c * 200 + ky.start[y] - ky.start[0]) * SIZE, ky.weights + y * ky.stride, ky.count[y], image + (c * SIZE + y) * SIZE);
    t1 = now();
    printf("RESIZE vertical pass, one image (64 x 64 x 3 outputs): auto-vectorized %.1f us", (t1 - t0) / reps * 1e6);
    if (avx512) {
        for (int r = 0; r < reps; r++) for (int c = 0; c < 3; c++) for (int y = 0; y < SIZE; y++)
            vertical_avx512(planes + (size_t) (c * 200 + ky.start[y] - ky.start[0]) * SIZE, ky.weights + y * ky.stride, ky.count[y], wide, image + (c * SIZE + y) * SIZE);
        printf(", AVX-512 %.1f us", (now() - t1) / reps * 1e6);
    }
    printf("\n");
    volatile unsigned char sink = (unsigned char) (image[7] ^ out[1][3]); /* keeps the passes from being elided */
    (void) sink;
    return bad != 0;
}
