package dev.faces.ingest.preprocess;

/**
 * A file's bytes to what a shard stores for it: decoded, then the tutorial's Resize(64) + CenterCrop(64). JPEGs go
 * through one native call when libjpeg-turbo's library is loaded; other files, or all of them without it,
 * through {@link ImageDecoder} and {@link TutorialTransform}. Both give the same bytes (TransformParityTest).
 */
public final class Preprocessor {
    private Preprocessor() {
    }

    /** 3 x 64 x 64 uint8 RGB, channel-major. */
    public static byte[] tutorialPixels(byte[] file) throws ImageDecoder.RejectedImageException {
        if (ImageDecoder.isJpeg(file) && LibjpegTurbo.available()) {
            return LibjpegTurbo.decodeTutorial(file);
        }
        return TutorialTransform.apply(ImageDecoder.decode(file));
    }
}
