package dev.faces.ingest.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faces.core.tensor.Npy;
import dev.faces.core.tensor.NpyArray;
import java.io.InputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Against torchvision's Resize(64) + CenterCrop(64) on the same files (fixture by
 * src/test/resources/parity/make_resize_fixture.py with Debian's python3-torchvision): identical pixels from PNGs,
 * whose decoding is exact, and within 1 grey level on average from JPEGs, where the JPEG decoders differ.
 */
class TutorialTransformTest {

    @ParameterizedTest(name = "face-{0}.png")
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void pngsGiveTorchvisionsPixelsExactly(int i) throws Exception {
        Diff d = compare("face-" + i + ".png", "expected-" + i + "-png.npy");
        assertThat(d.max).as("largest difference").isZero();
    }

    @ParameterizedTest(name = "face-{0}.jpg")
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void jpegsAreWithinOneLevelOnAverage(int i) throws Exception {
        Diff d = compare("face-" + i + ".jpg", "expected-" + i + "-jpg.npy");
        assertThat(d.mean).as("mean absolute difference in grey levels").isLessThanOrEqualTo(1.0);
    }

    record Diff(double mean, int max) {
    }

    private Diff compare(String image, String expected) throws Exception {
        byte[] actual = TutorialTransform.apply(ImageDecoder.decode(resource(image)));
        byte[] want = Npy.read(resource(expected), NpyArray.DType.UINT8, 3, 64, 64).data();
        long sum = 0;
        int max = 0;
        for (int i = 0; i < want.length; i++) {
            int diff = Math.abs((actual[i] & 0xFF) - (want[i] & 0xFF));
            sum += diff;
            max = Math.max(max, diff);
        }
        return new Diff(sum / (double) want.length, max);
    }

    private byte[] resource(String name) throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/parity/" + name)) {
            return in.readAllBytes();
        }
    }
}
