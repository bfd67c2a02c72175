package dev.faces.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageGridTest {

    @Test
    void laysOutImagesLikeMakeGridWithPadding2() throws Exception {
        int size = 4;
        float[] px = new float[5 * 3 * size * size];
        for (int i = 0; i < 5; i++) {
            // image i: red channel = -1 + i * 0.5 everywhere
            java.util.Arrays.fill(px, i * 48, i * 48 + 16, -1f + i * 0.5f);
        }
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(ImageGrid.png(px, 5, size, 2)));
        assertThat(img.getWidth()).isEqualTo(2 * (size + 2) + 2);
        assertThat(img.getHeight()).isEqualTo(3 * (size + 2) + 2);
        assertThat(img.getRGB(0, 0) & 0xFFFFFF).isZero();                 // gutter
        assertThat((img.getRGB(2, 2) >> 16) & 0xFF).isEqualTo(0);           // image 0: -1 -> 0
        assertThat((img.getRGB(8, 2) >> 16) & 0xFF).isEqualTo(64);          // image 1: -0.5 -> 64
        assertThat((img.getRGB(2, 8) >> 16) & 0xFF).isEqualTo(128);         // image 2: 0 -> 128
        assertThat((img.getRGB(2, 14) >> 16) & 0xFF).isEqualTo(255);        // image 4: 1 -> 255
    }

    @Test
    void rejectsAMismatchedPixelCount() {
        assertThatThrownBy(() -> ImageGrid.png(new float[10], 1, 4, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void adminTokenNeedsTheExactBearerToken() {
        AdminToken token = new AdminToken("s3cret");
        assertThat(token.accepts("Bearer s3cret")).isTrue();
        assertThat(token.accepts("bearer s3cret")).isTrue();
        assertThat(token.accepts("Bearer s3cre")).isFalse();
        assertThat(token.accepts("s3cret")).isFalse();
        assertThat(token.accepts(null)).isFalse();
    }
}
