package dev.faces.ingest.preprocess;

/**
 * Decoded pixels as interleaved B, G, R bytes, row after row: the first {@code 3 * width * height} bytes of
 * {@code bgr}. From the native decoder the array is the decoding thread's own buffer, reused by its next decode.
 */
public record DecodedImage(int width, int height, byte[] bgr) {
}
