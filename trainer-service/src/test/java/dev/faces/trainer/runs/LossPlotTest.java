package dev.faces.trainer.runs;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LossPlotTest {

    @Test
    void drawsGAboveDWhenItsLossIsHigherAndKeepsTheLoggedHistoryOfAResumedRun() throws Exception {
        List<String> logged = List.of(
                "{\"type\":\"step\",\"epoch\":1,\"step\":0,\"lossD\":0.5,\"lossG\":4.0}",
                "{\"type\":\"step\",\"epoch\":1,\"step\":50,\"lossD\":0.5,\"lossG\":4.0}",
                "{\"type\":\"epoch\",\"epoch\":1,\"step\":99,\"lossD\":0.5,\"lossG\":4.0}",
                "not json");
        LossPlot resumed = new LossPlot(null, "run", logged);
        List<float[]> points = new ArrayList<>();
        for (int step = 0; step <= 200; step++) {
            points.add(new float[] {step, 0.5f, 4.0f});
        }
        BufferedImage img = javax.imageio.ImageIO.read(new ByteArrayInputStream(
                LossPlot.png(points, List.of(99L, 199L), "run")));
        assertThat(img.getWidth()).isEqualTo(LossPlot.WIDTH);
        assertThat(img.getHeight()).isEqualTo(LossPlot.HEIGHT);
        int middle = LossPlot.WIDTH / 2;
        int gRow = rowOf(img, middle, new Color(31, 119, 180));
        int dRow = rowOf(img, middle, new Color(255, 127, 14));
        assertThat(gRow).isPositive();
        assertThat(dRow).isGreaterThan(gRow + 100); // the lower loss is drawn lower down
        assertThat(resumed.points()).extracting(p -> p[0]).containsExactly(0f, 50f);
    }

    /** The first row in column x with (nearly) this colour, or -1. */
    private static int rowOf(BufferedImage img, int x, Color c) {
        for (int y = 0; y < img.getHeight(); y++) {
            Color p = new Color(img.getRGB(x, y));
            if (Math.abs(p.getRed() - c.getRed()) + Math.abs(p.getGreen() - c.getGreen())
                    + Math.abs(p.getBlue() - c.getBlue()) < 60) {
                return y;
            }
        }
        return -1;
    }
}
