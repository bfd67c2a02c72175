package dev.faces.ingest.preprocess;

/**
 * A file's bytes to what a shard stores for it: decoded, then the tutorial's Resize(64) + CenterCrop(64). JPEGs go
 * through one native call when libjpeg-turbo's library is loaded; other files, or all of them without it,
 * through {@link ImageDecoder} and {@link TutorialTransform}. Both give the same bytes (TransformParityTest).
 */
public final class Preprocessor {
    private Preprocessor() {
    }

    /** The bytes of one image: 3 x 64 x 64 uint8 RGB, channel-major. */
    public static final int IMAGE_BYTES = 3 * TutorialTransform.SIZE * TutorialTransform.SIZE;

    /** {@link #IMAGE_BYTES} bytes. */
    public static byte[] tutorialPixels(byte[] file) throws ImageDecoder.RejectedImageException {
        byte[] out = new byte[IMAGE_BYTES];
        tutorialPixels(file, out, 0);
        return out;
    }

    /** Into {@code out[offset, offset + IMAGE_BYTES)}, which is left as it was when the image is rejected. */
    public static void tutorialPixels(byte[] file, byte[] out, int offset) throws ImageDecoder.RejectedImageException {
        if (ImageDecoder.isJpeg(file) && LibjpegTurbo.available()) {
            LibjpegTurbo.decodeTutorial(file, out, offset, LibjpegTurbo.ResizeKernel.AVX512);
            return;
        }
        System.arraycopy(TutorialTransform.apply(ImageDecoder.decode(file)), 0, out, offset, IMAGE_BYTES);
    }
}
