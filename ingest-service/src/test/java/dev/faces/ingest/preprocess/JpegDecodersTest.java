package dev.faces.ingest.preprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The native decoder (libjpeg-turbo through JNI) against ImageIO on the JPEG variants of src/test/resources/jpeg
 * (README.txt there says how each was made): every pixel equal. The build must have made the native library;
 * the ingest falls back to ImageIO without it, but the README's commands and the Dockerfiles install what it needs.
 */
class JpegDecodersTest {

    @Test
    void theNativeDecoderIsBuiltAndLoaded() {
        assertThat(LibjpegTurbo.unavailableReason()).as("why the native decoder did not load").isNull();
        assertThat(ImageDecoder.jpegDecoder()).startsWith("libjpeg-turbo 2.")
                .endsWith("(JNI, " + LibjpegTurbo.bestResizeKernel() + " resize)");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"baseline-420.jpg", "baseline-422.jpg", "baseline-444.jpg", "progressive.jpg",
            "grayscale.jpg", "cmyk-adobe.jpg", "restart-markers.jpg", "rgb-components.jpg", "arithmetic.jpg",
            "../files/cmyk.jpg", "../parity/face-0.jpg", "../parity/face-3.jpg"})
    void nativeAndImageIoGiveTheSamePixels(String name) throws Exception {
        byte[] jpeg = resource(name);
        DecodedImage imageIo = ImageIoDecoder.decode(jpeg);
        DecodedImage turbo = LibjpegTurbo.decode(jpeg);
        assertThat(turbo.width()).isEqualTo(imageIo.width());
        assertThat(turbo.height()).isEqualTo(imageIo.height());
        int n = 3 * imageIo.width() * imageIo.height();
        byte[] expected = Arrays.copyOf(imageIo.bgr(), n);
        byte[] actual = Arrays.copyOf(turbo.bgr(), n);
        assertThat(firstDifference(actual, expected)).as("first differing byte of " + name).isEqualTo(-1);
    }

    @Test
    void aDamagedJpegIsRejectedByBothWithTheReason() {
        byte[] truncated = resource("truncated.jpg");
        assertThatThrownBy(() -> LibjpegTurbo.decode(truncated))
                .isInstanceOf(ImageDecoder.RejectedImageException.class)
                .hasMessage("damaged image: Premature end of JPEG file");
        assertThatThrownBy(() -> ImageIoDecoder.decode(truncated))
                .isInstanceOf(ImageDecoder.RejectedImageException.class)
                .hasMessageStartingWith("damaged image: ");
    }

    @Test
    void aHeaderBeyondTheLimitsIsRefusedBeforeDecoding() {
        byte[] jpeg = resource("baseline-420.jpg");
        byte[] huge = withSize(jpeg, 12_001, 218);
        assertThatThrownBy(() -> LibjpegTurbo.decode(huge))
                .hasMessage(ImageDecoder.tooLarge(12_001, 218));
        byte[] bomb = withSize(jpeg, 6_000, 6_000); // each side allowed, 36 Mpx in all is not
        assertThatThrownBy(() -> LibjpegTurbo.decode(bomb))
                .hasMessage(ImageDecoder.tooLarge(6_000, 6_000));
    }

    @Test
    void aGrownImageGetsABufferOfItsOwnSize() throws Exception {
        byte[] small = resource("baseline-420.jpg");
        byte[] large = resource("../files/cmyk.jpg");
        DecodedImage a = LibjpegTurbo.decode(small);
        int w = a.width();
        DecodedImage b = LibjpegTurbo.decode(large);
        assertThat(b.bgr().length).isGreaterThanOrEqualTo(3 * b.width() * b.height());
        assertThat(w).isEqualTo(178);
    }

    @Test
    void garbageAfterTheSignatureIsRejectedNotCrashed() {
        byte[] garbage = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0x01, 0x02, 0x03, 0x04};
        assertThatThrownBy(() -> LibjpegTurbo.decode(garbage))
                .isInstanceOf(ImageDecoder.RejectedImageException.class)
                .hasMessage("damaged image: Premature end of JPEG file");
    }

    @Test
    void aJpegLibjpegCannotDecodeIsRejectedWithLibjpegsReason() {
        byte[] twelveBit = resource("baseline-420.jpg").clone();
        twelveBit[sof0(twelveBit) + 4] = 12; // sample precision: 8 -> 12, the one change
        assertThatThrownBy(() -> LibjpegTurbo.decode(twelveBit))
                .isInstanceOf(ImageDecoder.RejectedImageException.class)
                .hasMessage("cannot decode: Unsupported JPEG data precision 12");
        // and the thread's next decode works: the error left no state behind
        assertThat(catchThrowable(() -> LibjpegTurbo.decode(resource("baseline-420.jpg")))).isNull();
    }

    /** The SOF0 marker's height and width rewritten: the same file declaring another size. */
    private static byte[] withSize(byte[] jpeg, int width, int height) {
        byte[] copy = jpeg.clone();
        int i = sof0(copy);
        copy[i + 5] = (byte) (height >> 8);
        copy[i + 6] = (byte) height;
        copy[i + 7] = (byte) (width >> 8);
        copy[i + 8] = (byte) width;
        return copy;
    }

    private static int sof0(byte[] jpeg) {
        for (int i = 2; i + 8 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xC0) {
                return i;
            }
        }
        throw new IllegalArgumentException("no SOF0 marker");
    }

    private static int firstDifference(byte[] a, byte[] b) {
        return Arrays.mismatch(a, b);
    }

    private static byte[] resource(String name) {
        try (InputStream in = JpegDecodersTest.class.getResourceAsStream("/jpeg/" + name)) {
            return in.readAllBytes();
        } catch (Exception e) {
            throw new IllegalStateException(name, e);
        }
    }
}
