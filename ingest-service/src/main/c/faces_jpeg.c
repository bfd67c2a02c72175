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

/* libjpeg's errors and warnings land in err, and jump back to the caller's setjmp. */
static void catch_errors(struct jpeg_decompress_struct *cinfo, error_manager *err) {
    cinfo->err = jpeg_std_error(&err->pub);
    err->pub.error_exit = on_error;
    err->pub.emit_message = on_message;
    err->message[0] = 0;
}

/* After the jump: the reason as an IllegalArgumentException, which the Java side turns into a rejection. */
static jlong throw_reason(JNIEnv *env, struct jpeg_decompress_struct *cinfo, const error_manager *err) {
    jpeg_destroy_decompress(cinfo);
    char text[JMSG_LENGTH_MAX + 32];
    snprintf(text, sizeof text, "%s%s", err->warning ? "damaged image: " : "cannot decode: ", err->message);
    jclass iae = (*env)->FindClass(env, "java/lang/IllegalArgumentException");
    if (iae) (*env)->ThrowNew(env, iae, text);
    return 0;
}

/* A header declaring an empty image or a decompression bomb: refused before anything is decoded. */
static int beyond_limits(jlong w, jlong h, jint maxSide, jlong maxPixels) {
    return w < 1 || h < 1 || w > maxSide || h > maxSide || w * h > maxPixels;
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

    catch_errors(&cinfo, &err);
    if (setjmp(err.jump)) {
        if (out) (*env)->ReleasePrimitiveArrayCritical(env, dst, out, 0);
        if (in) (*env)->ReleasePrimitiveArrayCritical(env, src, in, JNI_ABORT);
        return throw_reason(env, &cinfo, &err);
    }
    jpeg_create_decompress(&cinfo);
    /* Both arrays are pinned for the decode (about 0.1 ms for a CelebA image): no copy in, none out. */
    in = (*env)->GetPrimitiveArrayCritical(env, src, NULL);
    if (!in) { jpeg_destroy_decompress(&cinfo); return 0; }
    jpeg_mem_src(&cinfo, (const unsigned char *) in, (unsigned long) length);
    jpeg_read_header(&cinfo, TRUE);
    JDIMENSION w = cinfo.image_width, h = cinfo.image_height;
    if (beyond_limits(w, h, maxSide, maxPixels)) {
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

#include "resize.h"

/* This thread's filters for the last image size it decoded, when their taps fit: CelebA's images all have one
 * size, and computing the filters took 3.5 of the 105 us an image takes. */
enum { CACHED_TAPS = 16 };
static __thread struct {
    filters filters;
    int storage[2 * SIZE * CACHED_TAPS];
} last_size;

/* The fastest resize kernel this CPU runs. */
static int best_kernel(void) {
#ifdef HAVE_AVX2_PATH
    if (avx512_supported()) return KERNEL_AVX512;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2")) return KERNEL_AVX2;
#endif
    return KERNEL_SCALAR;
}

/*
 * Decodes src[0, length) and writes the tutorial's 3 x 64 x 64 uint8 RGB (channel-major) into
 * dst[offset, offset + 12288).
 * Returns and throws as decode. Only the source rows the centre crop reads are converted and resized; libjpeg
 * skips the rows above and below without the inverse DCT (their data is still read, so damage is still found).
 */
JNIEXPORT jlong JNICALL Java_dev_faces_ingest_preprocess_LibjpegTurbo_decodeTutorial(
        JNIEnv *env, jclass cls, jbyteArray src, jint length, jbyteArray dst, jint offset, jint maxSide,
        jlong maxPixels, jint kernel) {
    (void) cls;
    if (kernel > best_kernel()) kernel = best_kernel();
    struct jpeg_decompress_struct cinfo;
    error_manager err;
    jbyte *volatile in = NULL;
    jlong status = 0;

    if (offset < 0 || (*env)->GetArrayLength(env, dst) - offset < 3 * SIZE * SIZE) {
        return result(BUFFER_TOO_SMALL, SIZE, SIZE);
    }
    catch_errors(&cinfo, &err);
    if (setjmp(err.jump)) {
        if (in) (*env)->ReleasePrimitiveArrayCritical(env, src, in, JNI_ABORT);
        return throw_reason(env, &cinfo, &err);
    }
    jpeg_create_decompress(&cinfo);
    in = (*env)->GetPrimitiveArrayCritical(env, src, NULL);
    if (!in) { jpeg_destroy_decompress(&cinfo); return 0; }
    jpeg_mem_src(&cinfo, (const unsigned char *) in, (unsigned long) length);
    jpeg_read_header(&cinfo, TRUE);
    int w = (int) cinfo.image_width, h = (int) cinfo.image_height;
    if (beyond_limits(w, h, maxSide, maxPixels)) {
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
        /* JPOOL_PERMANENT, not JPOOL_IMAGE, for all that is allocated below: jpeg_finish_decompress frees the
         * image pool, and the vertical pass still reads the planes and the coefficients (a use after free that
         * another thread's allocations turned into wrong pixels). The permanent pool lives until
         * jpeg_destroy_decompress. */
        filters *f;
        if (stride_x <= CACHED_TAPS && stride_y <= CACHED_TAPS) {
            f = &last_size.filters;
            if (f->w != w || f->h != h) fill_filters(f, last_size.storage, w, h, ow, oh, left, top, stride_x, stride_y);
        } else {
            f = (*cinfo.mem->alloc_small)((j_common_ptr) &cinfo, JPOOL_PERMANENT, sizeof(filters) + 64);
            f = (filters *) (((size_t) f + 63) & ~(size_t) 63);
            int *storage = (*cinfo.mem->alloc_small)((j_common_ptr) &cinfo, JPOOL_PERMANENT,
                                                     sizeof(int) * SIZE * (stride_x + stride_y));
            fill_filters(f, storage, w, h, ow, oh, left, top, stride_x, stride_y);
        }
        const coefficients *kx = &f->kx, *ky = &f->ky;
        int row_from = oh != h ? ky->start[0] : top, row_to = oh != h ? row_from : top + SIZE;
        for (int y = 0; oh != h && y < SIZE; y++) {
            if (ky->start[y] + ky->count[y] > row_to) row_to = ky->start[y] + ky->count[y];
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
        JSAMPARRAY line = (*cinfo.mem->alloc_sarray)((j_common_ptr) &cinfo, JPOOL_PERMANENT, w * 4 + 192, 1);
        line[0] = (JSAMPROW) ((((size_t) line[0] + 63) & ~(size_t) 63) + 1);
        JSAMPARRAY bgr = inverted_inks
                ? (*cinfo.mem->alloc_sarray)((j_common_ptr) &cinfo, JPOOL_PERMANENT, w * 3 + 128, 1) : line;
        unsigned char *planes = (*cinfo.mem->alloc_large)((j_common_ptr) &cinfo, JPOOL_PERMANENT, (size_t) 3 * rows * SIZE);
#ifdef HAVE_AVX2_PATH
        const wide_coefficients *wide = f->wide_ok && kernel >= KERNEL_AVX512 ? &f->wide : NULL;
        const padded_coefficients *padded = !wide && f->padded_ok && kernel >= KERNEL_AVX2 ? &f->padded : NULL;
        int words_stride = ((w + 31) & ~31) + 64;
        short *words = wide ? (*cinfo.mem->alloc_large)((j_common_ptr) &cinfo, JPOOL_PERMANENT,
                                                        sizeof(short) * 3 * (size_t) words_stride) : NULL;
        unsigned char *deinterleaved = padded
                ? (*cinfo.mem->alloc_small)((j_common_ptr) &cinfo, JPOOL_PERMANENT, (size_t) 3 * w) : NULL;
#endif
        if (row_from > 0) jpeg_skip_scanlines(&cinfo, (JDIMENSION) row_from);
        for (int y = 0; y < rows; y++) {
            jpeg_read_scanlines(&cinfo, line, 1);
            if (inverted_inks) cmyk_to_bgr(line[0], bgr[0], (JDIMENSION) w);
            unsigned char *r = planes + (size_t) y * SIZE, *g = planes + (size_t) (rows + y) * SIZE,
                          *b = planes + (size_t) (2 * rows + y) * SIZE;
#ifdef HAVE_AVX2_PATH
            if (wide) {
                horizontal_avx512(bgr[0], w, wide, words, words_stride, r, g, b);
                continue;
            }
            if (padded) {
                horizontal_avx2(bgr[0], w, padded, deinterleaved, r, g, b);
                continue;
            }
#endif
            horizontal_scalar(bgr[0], ow != w ? kx : NULL, left, r, g, b);
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
                    continue;
                }
                const unsigned char *from = plane + (size_t) (ky->start[y] - row_from) * SIZE;
#ifdef HAVE_AVX2_PATH
                if (wide && wide->vertical) {
                    vertical_avx512(from, ky->weights + y * ky->stride, ky->count[y], wide, o);
                    continue;
                }
#endif
                vertical(from, ky->weights + y * ky->stride, ky->count[y], o);
            }
        }
        (*env)->SetByteArrayRegion(env, dst, offset, 3 * SIZE * SIZE, (const jbyte *) out);
        status = result(DECODED, w, h);
    }
    if (in) (*env)->ReleasePrimitiveArrayCritical(env, src, in, JNI_ABORT);
    jpeg_destroy_decompress(&cinfo);
    return status;
}

JNIEXPORT jint JNICALL Java_dev_faces_ingest_preprocess_LibjpegTurbo_bestKernel(JNIEnv *env, jclass cls) {
    (void) env;
    (void) cls;
    return best_kernel();
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
