/*
 * The ingest's whole preprocessing of a JPEG in one call: libjpeg-turbo's decode of only the rows the crop
 * reads, then the tutorial's Resize(64) + CenterCrop(64) (resize.c, resize_avx512.c), so that a decoded image
 * never crosses into Java.
 */
#include <math.h>
#include <string.h>
#include "faces_jpeg.h"
#include "resize.h"

/* This thread's filters for the last image size it decoded, when their taps fit: CelebA's images all have one
 * size, and computing the filters took 3.5 of the 105 us an image takes. */
enum { CACHED_TAPS = 16 };
static __thread struct {
    filters filters;
    int storage[2 * SIZE * CACHED_TAPS];
} last_size;

/* The fastest resize kernel this CPU runs, found once when the library is loaded. */
static int best_kernel = KERNEL_SCALAR;

__attribute__((constructor)) static void find_best_kernel(void) {
#ifdef HAVE_AVX2_PATH
    __builtin_cpu_init();
    best_kernel = avx512_supported() ? KERNEL_AVX512 : __builtin_cpu_supports("avx2") ? KERNEL_AVX2 : KERNEL_SCALAR;
#endif
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
    if (kernel > best_kernel) kernel = best_kernel;
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
    return best_kernel;
}
