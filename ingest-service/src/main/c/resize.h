/* The tutorial's Resize(64) + CenterCrop(64) kernels of the native path (resize.c, resize_avx512.c), used by
 * faces_tutorial.c. */
#ifndef FACES_RESIZE_H
#define FACES_RESIZE_H
#include <stdio.h>
#include <jpeglib.h>

#define SIZE 64
#define PRECISION_BITS (32 - 8 - 2)

/* The resize kernels, slowest first: the caller may cap the choice (the parity tests run each one). */
enum { KERNEL_SCALAR = 0, KERNEL_AVX2 = 1, KERNEL_AVX512 = 2 };

typedef struct {
    int start[SIZE];
    int count[SIZE];
    int *weights; /* count[i] weights of output i at weights + i * stride */
    int stride;
} coefficients;

void compute_coefficients(int in, int out, int from, int n, coefficients *k, int *storage, int stride);
void horizontal_scalar(const JSAMPLE *row, const coefficients *kx, int left, unsigned char *r, unsigned char *g,
                       unsigned char *b);
void vertical(const unsigned char *plane, const int *w, int n, unsigned char *out);

#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_AVX2_PATH 1
/* Each output's taps, padded to 8 with zero weights, as one vector: what the AVX2 pass multiplies. */
typedef struct {
    int start[SIZE];
    int weights[SIZE][8] __attribute__((aligned(32)));
} padded_coefficients;

int pad_coefficients(const coefficients *k, int in, padded_coefficients *out);
void horizontal_avx2(const JSAMPLE *row, int w, const padded_coefficients *k, unsigned char *planes_bgr,
                     unsigned char *r, unsigned char *g, unsigned char *b);

/* What the AVX-512 kernels (resize_avx512.c) read: per group of 16 outputs and pair of taps, the words each
 * lane takes from the group's 64-word window and the two halves of their weights; and the byte picks that
 * widen pixels into words. 64-byte aligned (a member of a 64-byte aligned allocation). */
typedef struct {
    short index[SIZE / 16][4][32] __attribute__((aligned(64)));
    short high[SIZE / 16][4][32] __attribute__((aligned(64)));
    short low[SIZE / 16][4][32] __attribute__((aligned(64)));
    unsigned char channel[3][64] __attribute__((aligned(64)));
    unsigned char rows[4][64] __attribute__((aligned(64)));
    int base[SIZE / 16];
    int pairs[SIZE / 16];
    int vertical; /* whether vertical_avx512 may run (its weights are non-negative) */
} wide_coefficients;

/* whether the CPU has what the AVX-512 kernels use; in a constructor, after __builtin_cpu_init */
int avx512_supported(void);
/* 0 when the horizontal filter does not fit the kernels (more than 8 taps, or a negative weight) */
int widen_coefficients(const coefficients *kx, const coefficients *ky, wide_coefficients *out);
/* row must be readable for 3 * w + 128 bytes; words holds three channels of stride >= w rounded up to 32,
 * plus 64 */
void horizontal_avx512(const JSAMPLE *row, int w, const wide_coefficients *k, short *words, int stride,
                       unsigned char *r, unsigned char *g, unsigned char *b);
void vertical_avx512(const unsigned char *plane, const int *w, int n, const wide_coefficients *k,
                     unsigned char *out);
#endif

/* Everything the passes read for one image size, so that it can be kept for the next image of that size. */
typedef struct {
    int w, h; /* the source size these are for (0 while they are filled) */
    coefficients kx, ky; /* kx when the width changes, ky when the height does */
#ifdef HAVE_AVX2_PATH
    int padded_ok, wide_ok; /* whether the AVX2 and the AVX-512 kernels can run these filters */
    padded_coefficients padded;
    wide_coefficients wide;
#endif
} filters;

/* The filters from a w x h source to ow x oh, cropped at (left, top); storage holds SIZE * (stride_x + stride_y)
 * ints, where a stride is the most taps an output can have. */
void fill_filters(filters *f, int *storage, int w, int h, int ow, int oh, int left, int top, int stride_x,
                  int stride_y);
#endif
