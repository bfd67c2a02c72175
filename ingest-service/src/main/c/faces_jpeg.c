/*
 * The ingest's JPEG decoder: libjpeg-turbo's libjpeg API, straight into a Java byte[] as interleaved B, G, R
 * (ImageIO's TYPE_3BYTE_BGR layout, which TutorialTransform reads). ImageIO on Debian's JDK runs this same
 * library with these same settings (islow IDCT, fancy upsampling, libjpeg's own colour conversion), and Pillow
 * uses them too, so the pixels are the ones the tutorial's loader sees. What ImageIO adds around the codec
 * (streams, metadata, a callback per scanline, a BufferedImage) is what this skips.
 *
 * Built by build.sh (beside this file) during the Maven build, against libjpeg.so.62.
 */
#include <jni.h>
#include <setjmp.h>
#include <stdio.h>
#include <math.h>
#include <string.h>
#include <jpeglib.h>

enum { DECODED = 0, BUFFER_TOO_SMALL = 1, TOO_LARGE = 2 };

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    int warning; /* 1 when the message is a warning (a damaged stream), 0 for an error */
    char message[JMSG_LENGTH_MAX];
} error_manager;

static void on_error(j_common_ptr cinfo) {
    error_manager *err = (error_manager *) cinfo->err;
    (*cinfo->err->format_message)(cinfo, err->message);
    err->warning = 0;
    longjmp(err->jump, 1);
}

/* libjpeg finishes a truncated or corrupt stream with grey and only warns. ImageIO reports the first warning,
 * and the ingest rejects such an image, so the first warning ends decoding here. Trace messages are ignored. */
static void on_message(j_common_ptr cinfo, int level) {
    if (level < 0) {
        error_manager *err = (error_manager *) cinfo->err;
        (*cinfo->err->format_message)(cinfo, err->message);
        err->warning = 1;
        longjmp(err->jump, 1);
    }
}

static jlong result(int status, JDIMENSION width, JDIMENSION height) {
    return ((jlong) status << 40) | ((jlong) width << 20) | (jlong) height;
}

/* Adobe CMYK and YCCK JPEGs store inverted inks. As Pillow's CMYK to RGB: channel = 255 - min(255, ink + k). */
static void cmyk_to_bgr(const JSAMPLE *cmyk, JSAMPLE *bgr, JDIMENSION width) {
    for (JDIMENSION x = 0; x < width; x++, cmyk += 4, bgr += 3) {
        int k = 255 - cmyk[3];
        int r = (255 - cmyk[0]) + k, g = (255 - cmyk[1]) + k, b = (255 - cmyk[2]) + k;
        bgr[0] = (JSAMPLE) (255 - (b > 255 ? 255 : b));
        bgr[1] = (JSAMPLE) (255 - (g > 255 ? 255 : g));
        bgr[2] = (JSAMPLE) (255 - (r > 255 ? 255 : r));
    }
}

/*
 * Decodes src[0, length) into dst as BGR rows. Returns status << 40 | width << 20 | height (JPEG sides are
 * 16-bit): DECODED, BUFFER_TOO_SMALL (dst needs 3 * width * height bytes; nothing decoded) or TOO_LARGE
 * (beyond maxSide or maxPixels; nothing decoded). A file libjpeg cannot decode throws IllegalArgumentException
 * whose message starts "damaged image: " for a warning and "cannot decode: " for an error.
 */
JNIEXPORT jlong JNICALL Java_dev_faces_ingest_preprocess_LibjpegTurbo_decode(
        JNIEnv *env, jclass cls, jbyteArray src, jint length, jbyteArray dst, jint maxSide, jlong maxPixels) {
    (void) cls;
    struct jpeg_decompress_struct cinfo;
    error_manager err;
    jsize capacity = (*env)->GetArrayLength(env, dst);
    /* volatile: assigned after setjmp and read after longjmp, where a register copy would be stale */
    jbyte *volatile in = NULL;
    jbyte *volatile out = NULL;
    jlong status = 0;
    JSAMPARRAY cmyk_row = NULL;

    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = on_error;
    err.pub.emit_message = on_message;
    err.message[0] = 0;
    if (setjmp(err.jump)) {
        if (out) (*env)->ReleasePrimitiveArrayCritical(env, dst, out, 0);
        if (in) (*env)->ReleasePrimitiveArrayCritical(env, src, in, JNI_ABORT);
        jpeg_destroy_decompress(&cinfo);
        char text[JMSG_LENGTH_MAX + 32];
        snprintf(text, sizeof text, "%s%s", err.warning ? "damaged image: " : "cannot decode: ", err.message);
        jclass iae = (*env)->FindClass(env, "java/lang/IllegalArgumentException");
        if (iae) (*env)->ThrowNew(env, iae, text);
        return 0;
    }
    jpeg_create_decompress(&cinfo);
    /* Both arrays are pinned for the decode (about 0.1 ms for a CelebA image): no copy in, none out. */
    in = (*env)->GetPrimitiveArrayCritical(env, src, NULL);
    if (!in) { jpeg_destroy_decompress(&cinfo); return 0; }
    jpeg_mem_src(&cinfo, (const unsigned char *) in, (unsigned long) length);
    jpeg_read_header(&cinfo, TRUE);
    JDIMENSION w = cinfo.image_width, h = cinfo.image_height;
    if (w < 1 || h < 1 || (jlong) w > maxSide || (jlong) h > maxSide || (jlong) w * h > maxPixels) {
        status = result(TOO_LARGE, w, h);
    } else if ((jlong) w * h * 3 > capacity) {
        status = result(BUFFER_TOO_SMALL, w, h);
    } else {
        int inverted_inks = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
        cinfo.out_color_space = inverted_inks ? JCS_CMYK : JCS_EXT_BGR;
        cinfo.dct_method = JDCT_ISLOW;
        cinfo.do_fancy_upsampling = TRUE;
        jpeg_start_decompress(&cinfo);
        if (inverted_inks) {
            cmyk_row = (*cinfo.mem->alloc_sarray)((j_common_ptr) &cinfo, JPOOL_IMAGE, w * 4, 1);
        }
        out = (*env)->GetPrimitiveArrayCritical(env, dst, NULL);
        if (!out) { (*env)->ReleasePrimitiveArrayCritical(env, src, in, JNI_ABORT); jpeg_destroy_decompress(&cinfo); return 0; }
        JSAMPLE *base = (JSAMPLE *) out;
        while (cinfo.output_scanline < h) {
            JSAMPLE *row = base + (size_t) cinfo.output_scanline * w * 3;
            if (inverted_inks) {
                jpeg_read_scanlines(&cinfo, cmyk_row, 1);
                cmyk_to_bgr(cmyk_row[0], row, w);
            } else {
                JSAMPROW rows[16];
                JDIMENSION n = h - cinfo.output_scanline < 16 ? h - cinfo.output_scanline : 16;
                for (JDIMENSION i = 0; i < n; i++) rows[i] = row + (size_t) i * w * 3;
                jpeg_read_scanlines(&cinfo, rows, n);
            }
        }
        jpeg_finish_decompress(&cinfo);
        (*env)->ReleasePrimitiveArrayCritical(env, dst, out, 0);
        out = NULL;
        status = result(DECODED, w, h);
    }
    (*env)->ReleasePrimitiveArrayCritical(env, src, in, JNI_ABORT);
    in = NULL;
    jpeg_destroy_decompress(&cinfo);
    return status;
}

/* ---- The tutorial's Resize(64) + CenterCrop(64), exactly as PIL and torchvision compute them ----
 * The same algorithm as TutorialTransform.java (whose comments say why each step is as it is), on the decoded
 * rows in native memory, so that a decoded image never crosses into Java: PIL's antialiased bilinear filter in
 * 22-bit fixed point, horizontal pass first, each pass rounded and clipped to 8 bits, and only what the centre
 * crop keeps. TransformParityTest holds the two implementations to the same bytes. */

#define SIZE 64
#define PRECISION_BITS (32 - 8 - 2)

typedef struct {
    int start[SIZE];
    int count[SIZE];
    int *weights; /* count[i] weights of output i at weights + i * stride */
    int stride;
} coefficients;

/* PIL's precompute_coeffs for the bilinear filter, for the outputs [from, from + n) of in -> out. */
static void compute_coefficients(int in, int out, int from, int n, coefficients *k, int *storage, int stride) {
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
static void horizontal_scalar(const JSAMPLE *row, const coefficients *kx, int left, unsigned char *r,
                              unsigned char *g, unsigned char *b) {
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

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX2_PATH 1

/* Each output's taps, padded to 8 with zero weights, as one vector: what the AVX2 pass multiplies. */
typedef struct {
    int start[SIZE];
    int weights[SIZE][8] __attribute__((aligned(32)));
} padded_coefficients;

static int pad_coefficients(const coefficients *k, int in, padded_coefficients *out) {
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
static void horizontal_avx2(const JSAMPLE *row, int w, const padded_coefficients *k, unsigned char *planes_bgr,
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
static void vertical(const unsigned char *plane, const int *w, int n, unsigned char *out) {
    int acc[SIZE];
    for (int x = 0; x < SIZE; x++) acc[x] = 1 << (PRECISION_BITS - 1);
    for (int i = 0; i < n; i++) {
        const unsigned char *p = plane + i * SIZE;
        int wi = w[i];
        for (int x = 0; x < SIZE; x++) acc[x] += p[x] * wi;
    }
    for (int x = 0; x < SIZE; x++) out[x] = clip8(acc[x]);
}

/*
 * Decodes src[0, length) and writes the tutorial's 3 x 64 x 64 uint8 RGB (channel-major) into out[0, 12288).
 * Returns and throws as decode. Only the source rows the centre crop reads are converted and resized; libjpeg
 * skips the rows above and below without the inverse DCT (their data is still read, so damage is still found).
 */
JNIEXPORT jlong JNICALL Java_dev_faces_ingest_preprocess_LibjpegTurbo_decodeTutorial(
        JNIEnv *env, jclass cls, jbyteArray src, jint length, jbyteArray dst, jint maxSide, jlong maxPixels) {
    (void) cls;
    struct jpeg_decompress_struct cinfo;
    error_manager err;
    jbyte *volatile in = NULL;
    jlong status = 0;

    if ((*env)->GetArrayLength(env, dst) < 3 * SIZE * SIZE) return result(BUFFER_TOO_SMALL, SIZE, SIZE);
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = on_error;
    err.pub.emit_message = on_message;
    err.message[0] = 0;
    if (setjmp(err.jump)) {
        if (in) (*env)->ReleasePrimitiveArrayCritical(env, src, in, JNI_ABORT);
        jpeg_destroy_decompress(&cinfo);
        char text[JMSG_LENGTH_MAX + 32];
        snprintf(text, sizeof text, "%s%s", err.warning ? "damaged image: " : "cannot decode: ", err.message);
        jclass iae = (*env)->FindClass(env, "java/lang/IllegalArgumentException");
        if (iae) (*env)->ThrowNew(env, iae, text);
        return 0;
    }
    jpeg_create_decompress(&cinfo);
    in = (*env)->GetPrimitiveArrayCritical(env, src, NULL);
    if (!in) { jpeg_destroy_decompress(&cinfo); return 0; }
    jpeg_mem_src(&cinfo, (const unsigned char *) in, (unsigned long) length);
    jpeg_read_header(&cinfo, TRUE);
    int w = (int) cinfo.image_width, h = (int) cinfo.image_height;
    if (w < 1 || h < 1 || (jlong) w > maxSide || (jlong) h > maxSide || (jlong) w * h > maxPixels) {
        status = result(TOO_LARGE, w, h);
    } else {
        /* torchvision: the shorter side becomes 64, the longer int(64 * long / short); the crop's offsets are
         * rounded half to even, as Python's round (and rint) does */
        int ow = w <= h ? SIZE : (int) ((jlong) SIZE * w / h);
        int oh = w <= h ? (int) ((jlong) SIZE * h / w) : SIZE;
        int top = (int) rint((oh - SIZE) / 2.0);
        int left = (int) rint((ow - SIZE) / 2.0);
        /* a window of 2 * support + 1 taps, support being the scale when shrinking and 1 when growing */
        int stride_x = (int) (2.0 * (w > ow ? (double) w / ow : 1.0) + 3);
        int stride_y = (int) (2.0 * (h > oh ? (double) h / oh : 1.0) + 3);
        coefficients kx, ky;
        int *storage = (*cinfo.mem->alloc_small)((j_common_ptr) &cinfo, JPOOL_IMAGE,
                                                 sizeof(int) * SIZE * (stride_x + stride_y));
        if (ow != w) compute_coefficients(w, ow, left, SIZE, &kx, storage, stride_x);
        if (oh != h) compute_coefficients(h, oh, top, SIZE, &ky, storage + SIZE * stride_x, stride_y);
        int row_from = oh != h ? ky.start[0] : top, row_to = oh != h ? row_from : top + SIZE;
        for (int y = 0; oh != h && y < SIZE; y++) {
            if (ky.start[y] + ky.count[y] > row_to) row_to = ky.start[y] + ky.count[y];
        }
        int rows = row_to - row_from;
        int inverted_inks = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
        cinfo.out_color_space = inverted_inks ? JCS_CMYK : JCS_EXT_BGR;
        cinfo.dct_method = JDCT_ISLOW;
        cinfo.do_fancy_upsampling = TRUE;
        jpeg_start_decompress(&cinfo);
        /* One byte off alignment: libjpeg-turbo's SIMD colour conversion writes an aligned row with non-temporal
         * stores, which send it past the cache to memory, and reading it back then costs a memory access per cache
         * line (this doubled the whole call). A misaligned row gets ordinary stores and stays in L1. */
        JSAMPARRAY line = (*cinfo.mem->alloc_sarray)((j_common_ptr) &cinfo, JPOOL_IMAGE, w * 4 + 64, 1);
        line[0] = (JSAMPROW) ((((size_t) line[0] + 63) & ~(size_t) 63) + 1);
        JSAMPARRAY bgr = inverted_inks
                ? (*cinfo.mem->alloc_sarray)((j_common_ptr) &cinfo, JPOOL_IMAGE, w * 3, 1) : line;
        unsigned char *planes = (*cinfo.mem->alloc_large)((j_common_ptr) &cinfo, JPOOL_IMAGE, (size_t) 3 * rows * SIZE);
#ifdef HAVE_AVX2_PATH
        padded_coefficients *padded = NULL;
        unsigned char *deinterleaved = NULL;
        if (ow != w && w >= 8 && __builtin_cpu_supports("avx2")) {
            padded = (*cinfo.mem->alloc_small)((j_common_ptr) &cinfo, JPOOL_IMAGE, sizeof(padded_coefficients) + 32);
            padded = (padded_coefficients *) (((size_t) padded + 31) & ~(size_t) 31);
            if (pad_coefficients(&kx, w, padded)) {
                deinterleaved = (*cinfo.mem->alloc_small)((j_common_ptr) &cinfo, JPOOL_IMAGE, (size_t) 3 * w);
            } else {
                padded = NULL;
            }
        }
#endif
        if (row_from > 0) jpeg_skip_scanlines(&cinfo, (JDIMENSION) row_from);
        for (int y = 0; y < rows; y++) {
            jpeg_read_scanlines(&cinfo, line, 1);
            if (inverted_inks) cmyk_to_bgr(line[0], bgr[0], (JDIMENSION) w);
            unsigned char *r = planes + (size_t) y * SIZE, *g = planes + (size_t) (rows + y) * SIZE,
                          *b = planes + (size_t) (2 * rows + y) * SIZE;
#ifdef HAVE_AVX2_PATH
            if (padded) {
                horizontal_avx2(bgr[0], w, padded, deinterleaved, r, g, b);
                continue;
            }
#endif
            horizontal_scalar(bgr[0], ow != w ? &kx : NULL, left, r, g, b);
        }
        /* Skipping to the very end would stop reading the stream; skipping all but the last row still entropy-
         * decodes the data, so a damaged tail is found as a full decode finds it. */
        if (row_to < h - 1) jpeg_skip_scanlines(&cinfo, (JDIMENSION) (h - 1 - row_to));
        if (row_to < h) jpeg_read_scanlines(&cinfo, line, 1);
        jpeg_finish_decompress(&cinfo);
        (*env)->ReleasePrimitiveArrayCritical(env, src, in, JNI_ABORT);
        in = NULL;
        unsigned char out[3 * SIZE * SIZE];
        for (int c = 0; c < 3; c++) {
            const unsigned char *plane = planes + (size_t) c * rows * SIZE;
            for (int y = 0; y < SIZE; y++) {
                unsigned char *o = out + (c * SIZE + y) * SIZE;
                if (oh == h) {
                    memcpy(o, plane + (size_t) (y + top - row_from) * SIZE, SIZE);
                } else {
                    vertical(plane + (size_t) (ky.start[y] - row_from) * SIZE, ky.weights + y * ky.stride,
                             ky.count[y], o);
                }
            }
        }
        (*env)->SetByteArrayRegion(env, dst, 0, 3 * SIZE * SIZE, (const jbyte *) out);
        status = result(DECODED, w, h);
    }
    if (in) (*env)->ReleasePrimitiveArrayCritical(env, src, in, JNI_ABORT);
    jpeg_destroy_decompress(&cinfo);
    return status;
}

JNIEXPORT jstring JNICALL Java_dev_faces_ingest_preprocess_LibjpegTurbo_version(JNIEnv *env, jclass cls) {
    (void) cls;
#ifdef LIBJPEG_TURBO_VERSION
#define FACES_STR2(x) #x
#define FACES_STR(x) FACES_STR2(x)
    return (*env)->NewStringUTF(env, "libjpeg-turbo " FACES_STR(LIBJPEG_TURBO_VERSION));
#else
    return (*env)->NewStringUTF(env, "libjpeg " FACES_STR(JPEG_LIB_VERSION));
#endif
}
