#include <string.h>
#include "resize.h"

/* ---- The tutorial's Resize(64) + CenterCrop(64), exactly as PIL and torchvision compute them ----
 * The same algorithm as TutorialTransform.java (whose comments say why each step is as it is), on the decoded
 * rows in native memory, so that a decoded image never crosses into Java: PIL's antialiased bilinear filter in
 * 22-bit fixed point, horizontal pass first, each pass rounded and clipped to 8 bits, and only what the centre
 * crop keeps. TransformParityTest holds the two implementations to the same bytes. */



/* PIL's precompute_coeffs for the bilinear filter, for the outputs [from, from + n) of in -> out. */
void compute_coefficients(int in, int out, int from, int n, coefficients *k, int *storage, int stride) {
    double scale = (double) in / out;
    double filter_scale = scale > 1.0 ? scale : 1.0;
    double support = 1.0 * filter_scale;
    k->weights = storage;
    k->stride = stride;
    for (int j = 0; j < n; j++) {
        int xx = from + j;
        double center = (xx + 0.5) * scale;
        double ss = 1.0 / filter_scale;
        int xmin = (int) (center - support + 0.5);
        if (xmin < 0) xmin = 0;
        int xmax = (int) (center + support + 0.5);
        if (xmax > in) xmax = in;
        xmax -= xmin;
        double kk[stride];
        double sum = 0;
        for (int x = 0; x < xmax; x++) {
            double t = (x + xmin - center + 0.5) * ss;
            if (t < 0) t = -t;
            kk[x] = t < 1.0 ? 1.0 - t : 0.0;
            sum += kk[x];
        }
        for (int x = 0; x < xmax; x++) {
            double v = sum != 0 ? kk[x] / sum : kk[x];
            storage[j * stride + x] = (int) (v * (1 << PRECISION_BITS) + (v < 0 ? -0.5 : 0.5));
        }
        k->start[j] = xmin;
        k->count[j] = xmax;
    }
}

static inline unsigned char clip8(int acc) {
    int v = acc >> PRECISION_BITS;
    return (unsigned char) (v < 0 ? 0 : v > 255 ? 255 : v);
}

/* The horizontal pass of one BGR row into the crop's 64 columns of three planes, one output at a time: the
 * portable path, and the one for filters longer than 8 taps (sources over 22 times the output). */
void horizontal_scalar(const JSAMPLE *row, const coefficients *kx, int left, unsigned char *r, unsigned char *g,
                       unsigned char *b) {
    const int half = 1 << (PRECISION_BITS - 1);
    for (int x = 0; x < SIZE; x++) {
        if (!kx) {
            const JSAMPLE *p = row + 3 * (x + left);
            b[x] = p[0];
            g[x] = p[1];
            r[x] = p[2];
            continue;
        }
        const int *w = kx->weights + x * kx->stride;
        const JSAMPLE *p = row + 3 * kx->start[x];
        int acc_b = half, acc_g = half, acc_r = half;
        for (int i = 0, n = kx->count[x]; i < n; i++, p += 3) {
            acc_b += p[0] * w[i];
            acc_g += p[1] * w[i];
            acc_r += p[2] * w[i];
        }
        b[x] = clip8(acc_b);
        g[x] = clip8(acc_g);
        r[x] = clip8(acc_r);
    }
}

#ifdef HAVE_AVX2_PATH
#include <immintrin.h>

int pad_coefficients(const coefficients *k, int in, padded_coefficients *out) {
    for (int x = 0; x < SIZE; x++) {
        if (k->count[x] > 8) return 0;
        int start = k->start[x];
        if (start + 8 > in) start = in > 8 ? in - 8 : 0; /* keep the 8 reads inside the row */
        int shift = k->start[x] - start;
        for (int i = 0; i < 8; i++) {
            int j = i - shift;
            out->weights[x][i] = j >= 0 && j < k->count[x] ? k->weights[x * k->stride + j] : 0;
        }
        out->start[x] = start;
    }
    return 1;
}

/* One plane's 64 outputs, 8 at a time: per output its 8 source bytes widened and multiplied by its weights
 * (exact 32-bit products, as the scalar path), then the eight dot products reduced into one vector. */
__attribute__((target("avx2")))
static void horizontal_plane_avx2(const unsigned char *plane, const padded_coefficients *k, unsigned char *out) {
    const __m256i half = _mm256_set1_epi32(1 << (PRECISION_BITS - 1));
    const __m256i zero = _mm256_setzero_si256(), top = _mm256_set1_epi32(255);
    for (int x = 0; x < SIZE; x += 8) {
        __m256i m[8];
        for (int j = 0; j < 8; j++) {
            __m256i px = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *) (plane + k->start[x + j])));
            m[j] = _mm256_mullo_epi32(px, _mm256_load_si256((const __m256i *) k->weights[x + j]));
        }
        __m256i a0 = _mm256_hadd_epi32(m[0], m[1]), a1 = _mm256_hadd_epi32(m[2], m[3]);
        __m256i a2 = _mm256_hadd_epi32(m[4], m[5]), a3 = _mm256_hadd_epi32(m[6], m[7]);
        __m256i b0 = _mm256_hadd_epi32(a0, a1), b1 = _mm256_hadd_epi32(a2, a3);
        __m256i sum = _mm256_add_epi32(_mm256_permute2x128_si256(b0, b1, 0x20),
                                       _mm256_permute2x128_si256(b0, b1, 0x31));
        __m256i v = _mm256_srai_epi32(_mm256_add_epi32(sum, half), PRECISION_BITS);
        v = _mm256_min_epi32(_mm256_max_epi32(v, zero), top);
        __m128i words = _mm_packus_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
        _mm_storel_epi64((__m128i *) (out + x), _mm_packus_epi16(words, words));
    }
}

__attribute__((target("avx2")))
void horizontal_avx2(const JSAMPLE *row, int w, const padded_coefficients *k, unsigned char *planes_bgr,
                     unsigned char *r, unsigned char *g, unsigned char *b) {
    unsigned char *pb = planes_bgr, *pg = planes_bgr + w, *pr = planes_bgr + 2 * w;
    /* Deinterleave 16 pixels (48 bytes) at a time: each channel's bytes picked from the three loads by shuffles. */
    const __m128i b0 = _mm_setr_epi8(0, 3, 6, 9, 12, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    const __m128i b1 = _mm_setr_epi8(-1, -1, -1, -1, -1, -1, 2, 5, 8, 11, 14, -1, -1, -1, -1, -1);
    const __m128i b2 = _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1, 4, 7, 10, 13);
    const __m128i g0 = _mm_setr_epi8(1, 4, 7, 10, 13, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    const __m128i g1 = _mm_setr_epi8(-1, -1, -1, -1, -1, 0, 3, 6, 9, 12, 15, -1, -1, -1, -1, -1);
    const __m128i g2 = _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 2, 5, 8, 11, 14);
    const __m128i r0 = _mm_setr_epi8(2, 5, 8, 11, 14, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    const __m128i r1 = _mm_setr_epi8(-1, -1, -1, -1, -1, 1, 4, 7, 10, 13, -1, -1, -1, -1, -1, -1);
    const __m128i r2 = _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 3, 6, 9, 12, 15);
    int x = 0;
    for (; x + 16 <= w; x += 16) {
        const __m128i *p = (const __m128i *) (row + 3 * x);
        __m128i a = _mm_loadu_si128(p), b = _mm_loadu_si128(p + 1), c = _mm_loadu_si128(p + 2);
        _mm_storeu_si128((__m128i *) (pb + x), _mm_or_si128(_mm_or_si128(_mm_shuffle_epi8(a, b0),
                _mm_shuffle_epi8(b, b1)), _mm_shuffle_epi8(c, b2)));
        _mm_storeu_si128((__m128i *) (pg + x), _mm_or_si128(_mm_or_si128(_mm_shuffle_epi8(a, g0),
                _mm_shuffle_epi8(b, g1)), _mm_shuffle_epi8(c, g2)));
        _mm_storeu_si128((__m128i *) (pr + x), _mm_or_si128(_mm_or_si128(_mm_shuffle_epi8(a, r0),
                _mm_shuffle_epi8(b, r1)), _mm_shuffle_epi8(c, r2)));
    }
    for (; x < w; x++) {
        pb[x] = row[3 * x];
        pg[x] = row[3 * x + 1];
        pr[x] = row[3 * x + 2];
    }
    horizontal_plane_avx2(pb, k, b);
    horizontal_plane_avx2(pg, k, g);
    horizontal_plane_avx2(pr, k, r);
}
#endif

/* The vertical pass of one output row of one plane: 64 sums that run as vectors. */
__attribute__((target_clones("avx2", "default")))
void vertical(const unsigned char *plane, const int *w, int n, unsigned char *out) {
    int acc[SIZE];
    for (int x = 0; x < SIZE; x++) acc[x] = 1 << (PRECISION_BITS - 1);
    for (int i = 0; i < n; i++) {
        const unsigned char *p = plane + i * SIZE;
        int wi = w[i];
        for (int x = 0; x < SIZE; x++) acc[x] += p[x] * wi;
    }
    for (int x = 0; x < SIZE; x++) out[x] = clip8(acc[x]);
}

void fill_filters(filters *f, int *storage, int w, int h, int ow, int oh, int left, int top, int stride_x,
                  int stride_y) {
    f->w = f->h = 0;
    if (ow != w) compute_coefficients(w, ow, left, SIZE, &f->kx, storage, stride_x);
    if (oh != h) compute_coefficients(h, oh, top, SIZE, &f->ky, storage + SIZE * stride_x, stride_y);
#ifdef HAVE_AVX2_PATH
    f->padded_ok = ow != w && w >= 8 && pad_coefficients(&f->kx, w, &f->padded);
    f->wide_ok = ow != w && widen_coefficients(&f->kx, oh != h ? &f->ky : NULL, &f->wide);
#endif
    f->w = w;
    f->h = h;
}
