/* The tutorial's Resize(64) + CenterCrop(64) kernels of the native path (resize.c), used by faces_jpeg.c. */
#ifndef FACES_RESIZE_H
#define FACES_RESIZE_H
#include <stdio.h>
#include <jpeglib.h>

#define SIZE 64
#define PRECISION_BITS (32 - 8 - 2)

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
#endif
#endif
