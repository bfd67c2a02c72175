/*
 * The ingest's JPEG decoder: libjpeg-turbo's libjpeg API, straight into a Java byte[] as interleaved B, G, R
 * (ImageIO's TYPE_3BYTE_BGR layout, which TutorialTransform reads). ImageIO on Debian's JDK runs this same
 * library with these same settings (islow IDCT, fancy upsampling, libjpeg's own colour conversion), and Pillow
 * uses them too, so the pixels are the ones the tutorial's loader sees. What ImageIO adds around the codec
 * (streams, metadata, a callback per scanline, a BufferedImage) is what this skips.
 *
 * Built by build.sh (beside this file) during the Maven build, against libjpeg.so.62.
 */
#include "faces_jpeg.h"

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

void catch_errors(struct jpeg_decompress_struct *cinfo, error_manager *err) {
    cinfo->err = jpeg_std_error(&err->pub);
    err->pub.error_exit = on_error;
    err->pub.emit_message = on_message;
    err->message[0] = 0;
}

jlong throw_reason(JNIEnv *env, struct jpeg_decompress_struct *cinfo, const error_manager *err) {
    jpeg_destroy_decompress(cinfo);
    char text[JMSG_LENGTH_MAX + 32];
    snprintf(text, sizeof text, "%s%s", err->warning ? "damaged image: " : "cannot decode: ", err->message);
    jclass iae = (*env)->FindClass(env, "java/lang/IllegalArgumentException");
    if (iae) (*env)->ThrowNew(env, iae, text);
    return 0;
}

int beyond_limits(jlong w, jlong h, jint maxSide, jlong maxPixels) {
    return w < 1 || h < 1 || w > maxSide || h > maxSide || w * h > maxPixels;
}

jlong result(int status, JDIMENSION width, JDIMENSION height) {
    return ((jlong) status << 40) | ((jlong) width << 20) | (jlong) height;
}

void cmyk_to_bgr(const JSAMPLE *cmyk, JSAMPLE *bgr, JDIMENSION width) {
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
