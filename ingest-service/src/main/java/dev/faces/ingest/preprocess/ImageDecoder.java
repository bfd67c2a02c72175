package dev.faces.ingest.preprocess;

import java.util.logging.Logger;

/**
 * Decodes an image file by its content into interleaved BGR. JPEGs (all of CelebA) go through libjpeg-turbo
 * directly when its library loaded ({@link LibjpegTurbo}); everything else, and JPEGs without it, through
 * ImageIO. Both give the same pixels (JpegDecodersTest). A header declaring a decompression bomb is refused
 * before decoding, and a damaged file is rejected, with the reason recorded in rejected.jsonl.
 */
public final class ImageDecoder {
    public static final int MAX_SIDE = 12_000;
    public static final long MAX_PIXELS = 25_000_000L;
    private static final Logger LOG = Logger.getLogger(ImageDecoder.class.getName());

    private ImageDecoder() {
    }

    /** A file that is not a usable image; the message is the reason recorded in rejected.jsonl. */
    public static final class RejectedImageException extends Exception {
        public RejectedImageException(String reason) {
            super(reason);
        }
    }

    /** The result is valid until this thread decodes the next image. */
    public static DecodedImage decode(byte[] bytes) throws RejectedImageException {
        if (bytes.length == 0) {
            throw new RejectedImageException("empty file");
        }
        return isJpeg(bytes) && LibjpegTurbo.available() ? LibjpegTurbo.decode(bytes) : ImageIoDecoder.decode(bytes);
    }

    /** By content: the SOI marker and the start of the next one. */
    static boolean isJpeg(byte[] bytes) {
        return bytes.length > 3 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8 && (bytes[2] & 0xFF) == 0xFF;
    }

    /**
     * Which JPEG decoder is in use, for the log and the API: "libjpeg-turbo 2.1.5 (JNI, AVX512 resize)" or
     * "ImageIO (...)".
     */
    public static String jpegDecoder() {
        return LibjpegTurbo.available()
                ? LibjpegTurbo.loadedVersion() + " (JNI, " + LibjpegTurbo.bestResizeKernel() + " resize)"
                : "ImageIO (native decoder unavailable: " + LibjpegTurbo.unavailableReason() + ")";
    }

    /** Logs the JPEG decoder once, at start-up. */
    public static void logDecoder() {
        if (LibjpegTurbo.available()) {
            LOG.info("JPEG decoder: " + jpegDecoder());
        } else {
            LOG.warning("JPEG decoder: " + jpegDecoder());
        }
    }

    static String tooLarge(int w, int h) {
        return "header declares " + w + "x" + h + " pixels; at most " + MAX_SIDE + " per side and " + MAX_PIXELS
                + " in all are decoded (decompression bomb?)";
    }
}
