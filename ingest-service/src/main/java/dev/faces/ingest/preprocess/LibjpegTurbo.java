package dev.faces.ingest.preprocess;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * JPEG decoding through libjpeg-turbo directly (src/main/c: faces_jpeg.c and faces_tutorial.c, JNI): the same
 * codec and settings as ImageIO on Debian's JDK, without ImageIO's streams, metadata, per-scanline callbacks and
 * BufferedImage, into a buffer each thread reuses.
 *
 * <p>JNI rather than the FFM API because the services run on Java 17; rather than TurboJPEG's own Java binding
 * because that is not on Maven Central and its JNI library is a separate Debian package, while libjpeg62-turbo
 * comes with Debian's JDK. The library is a resource of this jar, copied to java.io.tmpdir to be loaded.
 */
final class LibjpegTurbo {
    private static final String RESOURCE = "/native/libfacesjpeg.so";
    private static final int DECODED = 0;
    private static final int BUFFER_TOO_SMALL = 1;

    private static final String VERSION;
    private static final String UNAVAILABLE;
    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[3 * 178 * 218]);

    static {
        String version = null;
        String unavailable = null;
        try {
            load();
            version = version();
        } catch (IOException | LinkageError | RuntimeException e) {
            unavailable = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        VERSION = version;
        UNAVAILABLE = unavailable;
    }

    private LibjpegTurbo() {
    }

    static boolean available() {
        return VERSION != null;
    }

    /** "libjpeg-turbo 2.1.5", or null when the library could not be loaded. */
    static String loadedVersion() {
        return VERSION;
    }

    /** Why the library is not in use, or null when it is. */
    static String unavailableReason() {
        return UNAVAILABLE;
    }

    /** Decodes into this thread's buffer; the result is valid until the thread's next decode. */
    static DecodedImage decode(byte[] jpeg) throws ImageDecoder.RejectedImageException {
        byte[] buffer = BUFFER.get();
        for (int attempt = 0; attempt < 2; attempt++) {
            long r;
            try {
                r = decode(jpeg, jpeg.length, buffer, ImageDecoder.MAX_SIDE, ImageDecoder.MAX_PIXELS);
            } catch (IllegalArgumentException e) {
                throw new ImageDecoder.RejectedImageException(e.getMessage());
            }
            int status = (int) (r >>> 40);
            int width = (int) (r >>> 20) & 0xFFFFF;
            int height = (int) r & 0xFFFFF;
            if (status == DECODED) {
                return new DecodedImage(width, height, buffer);
            }
            if (status != BUFFER_TOO_SMALL) {
                throw new ImageDecoder.RejectedImageException(ImageDecoder.tooLarge(width, height));
            }
            buffer = new byte[3 * width * height];
            BUFFER.set(buffer);
        }
        throw new IllegalStateException("the decode buffer was sized from the header and still too small");
    }

    /** The resize kernels of the native path, slowest first; each gives the same bytes. */
    enum ResizeKernel { SCALAR, AVX2, AVX512 }

    /** The fastest resize kernel this CPU runs (what {@link #decodeTutorial(byte[])} uses). */
    static ResizeKernel bestResizeKernel() {
        return ResizeKernel.values()[bestKernel()];
    }

    /**
     * Decodes and applies the tutorial's Resize(64) + CenterCrop(64) in one native call (the same arithmetic as
     * {@link TutorialTransform}): the shard's 3 x 64 x 64 uint8 RGB, channel-major. The decoded image never
     * leaves native memory, and only the rows the crop reads are converted.
     */
    static byte[] decodeTutorial(byte[] jpeg) throws ImageDecoder.RejectedImageException {
        return decodeTutorial(jpeg, ResizeKernel.AVX512);
    }

    /** As {@link #decodeTutorial(byte[])}, with the resize kernel no faster than {@code fastest}. */
    static byte[] decodeTutorial(byte[] jpeg, ResizeKernel fastest) throws ImageDecoder.RejectedImageException {
        byte[] out = new byte[Preprocessor.IMAGE_BYTES];
        decodeTutorial(jpeg, out, 0, fastest);
        return out;
    }

    /** As {@link #decodeTutorial(byte[])}, into {@code out[offset, offset + 12288)}. */
    static void decodeTutorial(byte[] jpeg, byte[] out, int offset, ResizeKernel fastest)
            throws ImageDecoder.RejectedImageException {
        java.util.Objects.checkFromIndexSize(offset, Preprocessor.IMAGE_BYTES, out.length);
        long r;
        try {
            r = decodeTutorial(jpeg, jpeg.length, out, offset, ImageDecoder.MAX_SIDE, ImageDecoder.MAX_PIXELS,
                    fastest.ordinal());
        } catch (IllegalArgumentException e) {
            throw new ImageDecoder.RejectedImageException(e.getMessage());
        }
        if ((int) (r >>> 40) != DECODED) {
            throw new ImageDecoder.RejectedImageException(ImageDecoder.tooLarge((int) (r >>> 20) & 0xFFFFF, (int) r & 0xFFFFF));
        }
    }

    private static void load() throws IOException {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            throw new IOException("the native decoder is built for Linux only");
        }
        try (InputStream in = LibjpegTurbo.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("this build has no " + RESOURCE
                        + " (the Maven build needs gcc and libjpeg62-turbo-dev to make it)");
            }
            Path file = Files.createTempFile("faces-jpeg-", ".so");
            try {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                System.load(file.toAbsolutePath().toString());
            } finally {
                Files.deleteIfExists(file); // loaded libraries stay mapped; nothing is left behind
            }
        }
    }

    private static native long decode(byte[] src, int length, byte[] dst, int maxSide, long maxPixels);

    private static native long decodeTutorial(byte[] src, int length, byte[] dst, int offset, int maxSide,
                                              long maxPixels, int kernel);

    private static native int bestKernel();

    private static native String version();
}
