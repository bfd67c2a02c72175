#include "resize.h"

#ifdef HAVE_AVX2_PATH
#include <immintrin.h>

/* ---- The resize's AVX-512 kernels (VBMI and VNNI: Ice Lake, Sapphire Rapids, Zen 4 and later) ----
 * The same sums as the scalar path, and exact: every weight w (22 bits, non-negative) is split into
 * high = w >> 11 and low = w & 2047, each fits a 16-bit word, so vpdpwssd multiplies and adds pairs of taps
 * exactly in 32 bits, and (sum_high << 11) + sum_low is the scalar path's integer sum (below 2^31: 255 times
 * weights summing to about 2^22). Lanes are outputs; a tap pair's pixels come from one permute of a 64-word
 * window, where the AVX2 path multiplies one output's taps and then reduces across lanes. */

#define AVX512_TARGET __attribute__((target("avx512f,avx512bw,avx512vbmi,avx512vnni")))
#define EVEN_BYTES 0x5555555555555555ULL

int avx512_supported(void) {
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
           && __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("avx512vnni");
}

static int nonnegative(const coefficients *k) {
    for (int x = 0; x < SIZE; x++) {
        for (int i = 0; i < k->count[x]; i++) {
            if (k->weights[x * k->stride + i] < 0) return 0;
        }
    }
    return 1;
}

int widen_coefficients(const coefficients *kx, const coefficients *ky, wide_coefficients *out) {
    out->vertical = ky && nonnegative(ky);
    if (!nonnegative(kx)) return 0;
    for (int g = 0; g < SIZE / 16; g++) {
        int base = kx->start[16 * g], most = 0;
        for (int j = 0; j < 16; j++) {
            int x = 16 * g + j, n = kx->count[x], from = kx->start[x] - base;
            if (n > 8 || from + n > 64) return 0; /* beyond one window: shrinking by more than about 3.5 */
            if (n > most) most = n;
            for (int t = 0; t < 8; t++) {
                int w = t < n ? kx->weights[x * kx->stride + t] : 0;
                int lane = 2 * j + t % 2;
                out->index[g][t / 2][lane] = (short) (t < n ? from + t : 0);
                out->high[g][t / 2][lane] = (short) (w >> 11);
                out->low[g][t / 2][lane] = (short) (w & 2047);
            }
        }
        out->base[g] = base;
        out->pairs[g] = (most + 1) / 2;
    }
    /* one channel of 32 BGR pixels as words: its bytes at 3x + c, every other byte zeroed by the mask */
    for (int c = 0; c < 3; c++) {
        for (int j = 0; j < 64; j++) out->channel[c][j] = (unsigned char) (j % 2 ? 0 : 3 * (j / 2) + c);
    }
    /* two rows' pixel x side by side in lane x as words: bytes x and 64 + x, the others zeroed */
    for (int q = 0; q < 4; q++) {
        for (int j = 0; j < 16; j++) {
            out->rows[q][4 * j] = (unsigned char) (16 * q + j);
            out->rows[q][4 * j + 1] = 0;
            out->rows[q][4 * j + 2] = (unsigned char) (64 + 16 * q + j);
            out->rows[q][4 * j + 3] = 0;
        }
    }
    return 1;
}

/* (high << 11) + low, shifted out of fixed point and clipped to 8 bits (only 0 can be crossed, from below). */
AVX512_TARGET
static inline __m128i to_bytes(__m512i high, __m512i low) {
    __m512i v = _mm512_srai_epi32(_mm512_add_epi32(_mm512_slli_epi32(high, 11), low), PRECISION_BITS);
    return _mm512_cvtusepi32_epi8(_mm512_max_epi32(v, _mm512_setzero_si512()));
}

AVX512_TARGET
static void horizontal_plane(const short *words, const wide_coefficients *k, unsigned char *out) {
    const __m512i half = _mm512_set1_epi32(1 << (PRECISION_BITS - 1));
    for (int g = 0; g < SIZE / 16; g++) {
        const short *window = words + k->base[g];
        __m512i first = _mm512_loadu_si512(window), second = _mm512_loadu_si512(window + 32);
        __m512i high = _mm512_setzero_si512(), low = half;
        for (int m = 0, n = k->pairs[g]; m < n; m++) {
            __m512i px = _mm512_permutex2var_epi16(first, _mm512_load_si512(k->index[g][m]), second);
            high = _mm512_dpwssd_epi32(high, px, _mm512_load_si512(k->high[g][m]));
            low = _mm512_dpwssd_epi32(low, px, _mm512_load_si512(k->low[g][m]));
        }
        _mm_storeu_si128((__m128i *) (out + 16 * g), to_bytes(high, low));
    }
}

AVX512_TARGET
void horizontal_avx512(const JSAMPLE *row, int w, const wide_coefficients *k, short *words, int stride,
                       unsigned char *r, unsigned char *g, unsigned char *b) {
    __m512i pick_b = _mm512_load_si512(k->channel[0]), pick_g = _mm512_load_si512(k->channel[1]),
            pick_r = _mm512_load_si512(k->channel[2]);
    for (int x = 0; x < w; x += 32) {
        __m512i first = _mm512_loadu_si512(row + 3 * x), second = _mm512_loadu_si512(row + 3 * x + 64);
        _mm512_storeu_si512(words + x, _mm512_maskz_permutex2var_epi8(EVEN_BYTES, first, pick_b, second));
        _mm512_storeu_si512(words + stride + x, _mm512_maskz_permutex2var_epi8(EVEN_BYTES, first, pick_g, second));
        _mm512_storeu_si512(words + 2 * stride + x, _mm512_maskz_permutex2var_epi8(EVEN_BYTES, first, pick_r, second));
    }
    horizontal_plane(words, k, b);
    horizontal_plane(words + stride, k, g);
    horizontal_plane(words + 2 * stride, k, r);
}

AVX512_TARGET
void vertical_avx512(const unsigned char *plane, const int *w, int n, const wide_coefficients *k,
                     unsigned char *out) {
    __m512i high[4], low[4], pick[4];
    for (int q = 0; q < 4; q++) {
        high[q] = _mm512_setzero_si512();
        low[q] = _mm512_set1_epi32(1 << (PRECISION_BITS - 1));
        pick[q] = _mm512_load_si512(k->rows[q]);
    }
    for (int i = 0; i < n; i += 2) {
        int w0 = w[i], w1 = i + 1 < n ? w[i + 1] : 0;
        __m512i upper = _mm512_loadu_si512(plane + (size_t) i * SIZE);
        __m512i lower = i + 1 < n ? _mm512_loadu_si512(plane + (size_t) (i + 1) * SIZE) : upper;
        __m512i wh = _mm512_set1_epi32((w0 >> 11) | ((w1 >> 11) << 16));
        __m512i wl = _mm512_set1_epi32((w0 & 2047) | ((w1 & 2047) << 16));
        for (int q = 0; q < 4; q++) {
            __m512i px = _mm512_maskz_permutex2var_epi8(EVEN_BYTES, upper, pick[q], lower);
            high[q] = _mm512_dpwssd_epi32(high[q], px, wh);
            low[q] = _mm512_dpwssd_epi32(low[q], px, wl);
        }
    }
    for (int q = 0; q < 4; q++) _mm_storeu_si128((__m128i *) (out + 16 * q), to_bytes(high[q], low[q]));
}
#endif
