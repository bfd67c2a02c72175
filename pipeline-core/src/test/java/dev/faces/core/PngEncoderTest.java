package dev.faces.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngEncoderTest {

    @Test
    void decodesToTheSamePixelsInAnIndependentDecoder() throws Exception {
        for (int[] size : new int[][] {{1, 1}, {64, 64}, {530, 266}, {7, 3}}) {
            RgbImage image = new RgbImage(size[0], size[1]);
            new Random(size[0] * 31L + size[1]).nextBytes(image.rgb());
            BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(PngEncoder.encode(image)));
            assertThat(decoded.getWidth()).isEqualTo(size[0]);
            assertThat(decoded.getHeight()).isEqualTo(size[1]);
            for (int y = 0; y < size[1]; y++) {
                for (int x = 0; x < size[0]; x++) {
                    assertThat(decoded.getRGB(x, y) & 0xFFFFFF).as("pixel %d,%d", x, y).isEqualTo(image.pixel(x, y));
                }
            }
        }
    }

    @Test
    void writesTheSignatureAndChunksWithTheirChecksums() {
        byte[] png = PngEncoder.encode(new RgbImage(2, 2));
        assertThat(java.util.Arrays.copyOf(png, 8)).containsExactly(0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n');
        assertThat(new String(png, 12, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("IHDR");
        CRC32 crc = new CRC32();
        crc.update(png, 12, 4 + 13);
        int stored = java.nio.ByteBuffer.wrap(png, 12 + 4 + 13, 4).getInt();
        assertThat(stored).isEqualTo((int) crc.getValue());
        assertThat(new String(png, png.length - 8, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("IEND");
    }

    @Test
    void refusesAPixelBufferOfTheWrongSize() {
        assertThatThrownBy(() -> new RgbImage(2, 2, new byte[11])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs 12 bytes");
    }
}
