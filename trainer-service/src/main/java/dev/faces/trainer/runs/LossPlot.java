package dev.faces.trainer.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faces.core.ObjectKeys;
import dev.faces.core.events.EventCodec;
import dev.faces.trainer.gan.TrainingListener;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The tutorial's "Generator and Discriminator Loss During Training" plot, as {@code <runId>/losses.png},
 * redrawn at every epoch's end from every step's losses (a resumed run starts from the logged steps).
 */
public final class LossPlot implements TrainingListener {
    static final int WIDTH = 800;
    static final int HEIGHT = 400;
    private static final Color G_COLOR = new Color(31, 119, 180);
    private static final Color D_COLOR = new Color(255, 127, 14);

    private final RunWrites writes;
    private final String runId;
    private final List<float[]> points = new ArrayList<>(); // {step, lossD, lossG}
    private final List<Long> epochEnds = new ArrayList<>();

    /** @param logged the run's metrics.jsonl lines so far, for a resumed run */
    public LossPlot(RunWrites writes, String runId, List<String> logged) {
        this.writes = writes;
        this.runId = runId;
        for (String line : logged) {
            try {
                JsonNode n = EventCodec.json().readTree(line);
                if (n.path("type").asText().equals("epoch")) {
                    epochEnds.add(n.path("step").asLong());
                } else {
                    points.add(new float[] {n.path("step").floatValue(), n.path("lossD").floatValue(),
                            n.path("lossG").floatValue()});
                }
            } catch (IOException e) {
                // a line that does not parse is left out of the picture
            }
        }
    }

    @Override
    public void onStep(StepInfo s) {
        points.add(new float[] {s.globalStep(), s.result().lossD(), s.result().lossG()});
    }

    @Override
    public void onEpoch(EpochInfo e) {
        epochEnds.add(e.globalStep());
        writes.put(ObjectKeys.lossPlot(runId), png(points, epochEnds, runId), "image/png");
    }

    /** The points so far, {step, lossD, lossG}. */
    List<float[]> points() {
        return List.copyOf(points);
    }

    /** Draws the losses against the step: G blue, D orange, epoch ends as faint vertical lines. */
    static byte[] png(List<float[]> points, List<Long> epochEnds, String title) {
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        int left = 60;
        int right = WIDTH - 20;
        int top = 40;
        int bottom = HEIGHT - 50;
        float maxStep = 1;
        float maxLoss = 1e-3f;
        for (float[] p : points) {
            maxStep = Math.max(maxStep, p[0]);
            maxLoss = Math.max(maxLoss, finite(Math.max(p[1], p[2])));
        }
        for (long end : epochEnds) {
            maxStep = Math.max(maxStep, end);
        }
        maxLoss = niceCeiling(maxLoss);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(new Color(235, 235, 235));
        for (long end : epochEnds) {
            int x = left + Math.round((right - left) * end / maxStep);
            g.drawLine(x, top, x, bottom);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(left, top, right - left, bottom - top);
        for (int i = 0; i <= 4; i++) {
            float v = maxLoss * i / 4;
            int y = bottom - Math.round((bottom - top) * i / 4f);
            g.drawLine(left - 4, y, left, y);
            g.drawString(String.format(Locale.ROOT, "%.1f", v), left - 40, y + 4);
            long step = Math.round(maxStep * i / 4.0);
            int x = left + Math.round((right - left) * i / 4f);
            g.drawLine(x, bottom, x, bottom + 4);
            g.drawString(Long.toString(step), x - 10, bottom + 18);
        }
        g.drawString("iterations", (left + right) / 2 - 25, HEIGHT - 12);
        g.drawString("Loss", 10, top - 10);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString("Generator and Discriminator Loss During Training: " + title, left, 24);
        g.setStroke(new BasicStroke(1.2f));
        for (int series = 2; series >= 1; series--) {
            Path2D.Float path = new Path2D.Float();
            boolean first = true;
            for (float[] p : points) {
                float x = left + (right - left) * p[0] / maxStep;
                float y = bottom - (bottom - top) * Math.min(finite(p[series]), maxLoss) / maxLoss;
                if (first) {
                    path.moveTo(x, y);
                    first = false;
                } else {
                    path.lineTo(x, y);
                }
            }
            g.setColor(series == 2 ? G_COLOR : D_COLOR);
            g.draw(path);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(G_COLOR);
        g.fillRect(right - 60, top + 10, 14, 3);
        g.drawString("G", right - 40, top + 15);
        g.setColor(D_COLOR);
        g.fillRect(right - 60, top + 28, 14, 3);
        g.drawString("D", right - 40, top + 33);
        g.dispose();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static float finite(float v) {
        return Float.isFinite(v) ? v : 0f;
    }

    private static float niceCeiling(float v) {
        float step = v <= 2 ? 0.5f : v <= 5 ? 1f : v <= 20 ? 5f : 10f;
        return (float) Math.ceil(v / step) * step;
    }
}
