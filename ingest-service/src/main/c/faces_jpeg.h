/* What the two decoding entry points (faces_jpeg.c, faces_tutorial.c) share: libjpeg's errors caught into a
 * Java exception, the limits on a header, the packed result, and Adobe CMYK. */
#ifndef FACES_JPEG_H
#define FACES_JPEG_H
#include <jni.h>
#include <setjmp.h>
#include <stdio.h>
#include <jpeglib.h>

enum { DECODED = 0, BUFFER_TOO_SMALL = 1, TOO_LARGE = 2 };

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    int warning; /* 1 when the message is a warning (a damaged stream), 0 for an error */
    char message[JMSG_LENGTH_MAX];
} error_manager;

/* libjpeg's errors and warnings land in err, and jump back to the caller's setjmp. */
void catch_errors(struct jpeg_decompress_struct *cinfo, error_manager *err);
/* After the jump: the reason as an IllegalArgumentException, which the Java side turns into a rejection. */
jlong throw_reason(JNIEnv *env, struct jpeg_decompress_struct *cinfo, const error_manager *err);
/* A header declaring an empty image or a decompression bomb: refused before anything is decoded. */
int beyond_limits(jlong w, jlong h, jint maxSide, jlong maxPixels);
jlong result(int status, JDIMENSION width, JDIMENSION height);
/* Adobe CMYK and YCCK JPEGs store inverted inks. As Pillow's CMYK to RGB: channel = 255 - min(255, ink + k). */
void cmyk_to_bgr(const JSAMPLE *cmyk, JSAMPLE *bgr, JDIMENSION width);
#endif
