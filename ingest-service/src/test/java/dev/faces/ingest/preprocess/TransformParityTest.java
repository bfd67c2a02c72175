package dev.faces.ingest.preprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The native decode-and-transform (faces_tutorial.c) against the Java path it replaces, TutorialTransform on the
 * decoded image: the same bytes for every fixture and for shapes that take each branch of the transform
 * (shrinking, growing, one side kept, portrait, landscape), from each resize kernel the CPU runs (the AVX-512
 * one takes up to 8 taps a side: 220 wide is within, 230 and 250 beyond).
 */
class TransformParityTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"baseline-420.jpg", "baseline-422.jpg", "baseline-444.jpg", "progressive.jpg",
            "grayscale.jpg", "cmyk-adobe.jpg", "restart-markers.jpg", "rgb-components.jpg", "arithmetic.jpg",
            "../files/cmyk.jpg", "../parity/face-0.jpg", "../parity/face-1.jpg", "../parity/face-2.jpg",
            "../parity/face-3.jpg", "../parity/face-4.jpg"})
    void fixturesGiveTheSameBytes(String name) throws Exception {
        assertSame(resource(name), name);
    }

    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"178,218", "218,178", "64,64", "64,100", "100,64", "40,30", "30,40", "1,1", "65,65", "300,120",
            "1000,65", "13,700", "2000,1500", "179,219",
            "220,300", "230,300", "250,260", "96,400", "400,96"})
    void shapesGiveTheSameBytes(int width, int height) throws Exception {
        assertSame(jpeg(width, height, width * 31 + height), width + "x" + height);
    }

    @Test
    void aDamagedTailIsFoundThoughItsRowsAreSkipped() {
        byte[] whole = resource("baseline-420.jpg");
        // the last 300 bytes hold rows below those the crop reads
        byte[] cut = Arrays.copyOf(whole, whole.length - 300);
        assertThatThrownBy(() -> LibjpegTurbo.decodeTutorial(cut))
                .isInstanceOf(ImageDecoder.RejectedImageException.class)
                .hasMessage("damaged image: Premature end of JPEG file");
        assertThatThrownBy(() -> LibjpegTurbo.decode(cut)).hasMessage("damaged image: Premature end of JPEG file");
    }

    @Test
    void aHeaderBeyondTheLimitsIsRefusedBeforeDecoding() {
        byte[] jpeg = resource("baseline-420.jpg").clone();
        for (int i = 2; i + 8 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xC0) {
                jpeg[i + 5] = (byte) (6000 >> 8);
                jpeg[i + 6] = (byte) 6000;
                jpeg[i + 7] = (byte) (6000 >> 8);
                jpeg[i + 8] = (byte) 6000;
                break;
            }
        }
        assertThatThrownBy(() -> LibjpegTurbo.decodeTutorial(jpeg)).hasMessage(ImageDecoder.tooLarge(6000, 6000));
    }

    @Test
    void thePreprocessorUsesTheNativePathForJpegsAndImageIoForTheRest() throws Exception {
        byte[] png = resource("../parity/face-0.png");
        assertThat(Preprocessor.tutorialPixels(png)).isEqualTo(TutorialTransform.apply(ImageIoDecoder.decode(png)));
        byte[] jpeg = resource("baseline-420.jpg");
        assertThat(Preprocessor.tutorialPixels(jpeg)).isEqualTo(LibjpegTurbo.decodeTutorial(jpeg));
    }

    /** Every resize kernel this CPU runs gives the Java path's bytes. */
    private static void assertSame(byte[] jpeg, String what) throws Exception {
        byte[] expected = TutorialTransform.apply(LibjpegTurbo.decode(jpeg));
        for (LibjpegTurbo.ResizeKernel kernel : LibjpegTurbo.ResizeKernel.values()) {
            if (kernel.compareTo(LibjpegTurbo.bestResizeKernel()) <= 0) {
                byte[] actual = LibjpegTurbo.decodeTutorial(jpeg, kernel);
                assertThat(Arrays.mismatch(actual, expected)).as("first differing byte for " + what + ", " + kernel)
                        .isEqualTo(-1);
            }
        }
        assertThat(LibjpegTurbo.decodeTutorial(jpeg)).isEqualTo(expected);
    }

    /** A smooth colour field with noise, so that every filter tap matters. */
    private static byte[] jpeg(int width, int height, long seed) throws Exception {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = (int) (127 + 100 * Math.sin(x * 0.07 + y * 0.02)) + random.nextInt(25);
                int g = (int) (127 + 100 * Math.cos(y * 0.05)) + random.nextInt(25);
                int b = (x * 255 / Math.max(1, width - 1) + random.nextInt(25));
                image.setRGB(x, y, Math.min(255, r) << 16 | Math.min(255, g) << 8 | Math.min(255, b));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpeg", out);
        return out.toByteArray();
    }

    private static byte[] resource(String name) {
        try (InputStream in = TransformParityTest.class.getResourceAsStream("/jpeg/" + name)) {
            return in.readAllBytes();
        } catch (Exception e) {
            throw new IllegalStateException(name, e);
        }
    }
}
