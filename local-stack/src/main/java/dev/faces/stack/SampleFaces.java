package dev.faces.stack;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Arc2D;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * A CelebA-layout sample of procedural faces: {@code img_align_celeba/000001.jpg ...} (178x218 JPEGs varied in
 * skin, hair, eyes, mouth, background and pose) and {@code list_eval_partition.txt} (about 80/10/10), the same
 * for the same seed. {@code ./pipeline sample DIR --images N} runs this.
 */
public final class SampleFaces {
    public static final int WIDTH = 178;
    public static final int HEIGHT = 218;

    private SampleFaces() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: SampleFaces DIR [--images N] [--seed S]");
            System.exit(2);
        }
        int images = 2048;
        long seed = 42;
        for (int i = 1; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--images" -> images = Integer.parseInt(args[i + 1]);
                case "--seed" -> seed = Long.parseLong(args[i + 1]);
                default -> {
                    System.err.println("unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (images < 1 || images > 1_000_000) {
            System.err.println("--images must be between 1 and 1000000");
            System.exit(2);
        }
        long t0 = System.nanoTime();
        write(Path.of(args[0]), images, seed);
        System.out.printf("wrote %d faces to %s in %.1f s%n", images, Path.of(args[0], "img_align_celeba"),
                (System.nanoTime() - t0) / 1e9);
    }

    public static void write(Path dir, int count, long seed) throws IOException {
        Path images = dir.resolve("img_align_celeba");
        Files.createDirectories(images);
        StringBuilder partition = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            String name = String.format("%06d.jpg", i);
            // java.util.Random's first values barely differ between neighbouring seeds: mix the seed first
            Files.write(images.resolve(name), jpeg(face(new Random(new java.util.SplittableRandom(seed * 1_000_003L + i).nextLong())), 0.9f));
            int split = i % 10 == 8 ? 1 : i % 10 == 9 ? 2 : 0;
            partition.append(name).append(' ').append(split).append('\n');
        }
        Files.writeString(dir.resolve("list_eval_partition.txt"), partition.toString());
    }

    /** One face: background, hair, head, eyes, brows, nose and mouth, each drawn from the generator. */
    public static BufferedImage face(Random r) {
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.getHSBColor(r.nextFloat(), 0.2f + 0.5f * r.nextFloat(), 0.3f + 0.6f * r.nextFloat()));
        g.fillRect(0, 0, WIDTH, HEIGHT);
        double cx = WIDTH / 2.0 + r.nextGaussian() * 6;
        double cy = HEIGHT / 2.0 + 8 + r.nextGaussian() * 5;
        double tilt = r.nextGaussian() * 0.08;
        g.rotate(tilt, cx, cy);
        double hw = 44 + r.nextGaussian() * 4;
        double hh = 58 + r.nextGaussian() * 4;
        Color hair = Color.getHSBColor(0.05f + 0.08f * r.nextFloat(), 0.3f + 0.6f * r.nextFloat(), 0.1f + 0.8f * r.nextFloat());
        g.setColor(hair);
        double hairLength = r.nextDouble();
        g.fill(new Ellipse2D.Double(cx - hw - 8, cy - hh - 14, 2 * hw + 16, 2 * hh * (0.8 + hairLength)));
        float[] skinTones = {0.05f, 0.07f, 0.08f, 0.1f};
        Color skin = Color.getHSBColor(skinTones[r.nextInt(skinTones.length)], 0.25f + 0.35f * r.nextFloat(),
                0.35f + 0.6f * r.nextFloat());
        g.setColor(skin);
        g.fill(new Ellipse2D.Double(cx - hw, cy - hh, 2 * hw, 2 * hh));
        g.setColor(hair);
        g.fill(new Arc2D.Double(cx - hw, cy - hh - 4, 2 * hw, hh * (0.6 + 0.5 * r.nextDouble()), 0, 180, Arc2D.CHORD));
        double eyeY = cy - hh * 0.15;
        double eyeDx = hw * (0.38 + 0.08 * r.nextDouble());
        Color iris = Color.getHSBColor(r.nextFloat(), 0.5f, 0.2f + 0.5f * r.nextFloat());
        for (int side = -1; side <= 1; side += 2) {
            double ex = cx + side * eyeDx;
            g.setColor(Color.WHITE);
            g.fill(new Ellipse2D.Double(ex - 9, eyeY - 5, 18, 10));
            g.setColor(iris);
            g.fill(new Ellipse2D.Double(ex - 4 + r.nextGaussian(), eyeY - 4, 8, 8));
            g.setColor(hair.darker());
            g.setStroke(new BasicStroke(3f));
            g.draw(new Arc2D.Double(ex - 11, eyeY - 14 - r.nextDouble() * 4, 22, 10, 20, 140, Arc2D.OPEN));
        }
        g.setColor(skin.darker());
        g.setStroke(new BasicStroke(2f));
        g.draw(new Arc2D.Double(cx - 6, cy - 2, 12, 22, 200, 140, Arc2D.OPEN));
        double smile = r.nextDouble();
        g.setColor(new Color(150 + r.nextInt(80), 40 + r.nextInt(50), 50 + r.nextInt(50)));
        g.setStroke(new BasicStroke(3f + 2f * r.nextFloat()));
        double mw = 22 + r.nextDouble() * 14;
        g.draw(new Arc2D.Double(cx - mw / 2, cy + hh * 0.35 - 6 * smile, mw, 8 + 14 * smile, 200, 140, Arc2D.OPEN));
        g.dispose();
        return img;
    }

    public static byte[] jpeg(BufferedImage img, float quality) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (OutputStream out = bytes; ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(null, new IIOImage(img, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
