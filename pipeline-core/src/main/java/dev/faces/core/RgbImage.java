package dev.faces.core;

/** An 8-bit RGB image, rows top to bottom, three bytes per pixel: what the PNG encoder takes, without AWT. */
public record RgbImage(int width, int height, byte[] rgb) {
    public RgbImage {
        if (width < 1 || height < 1 || rgb.length != 3L * width * height) {
            throw new IllegalArgumentException("an RGB image of " + width + "x" + height + " needs "
                    + 3L * width * height + " bytes, got " + rgb.length);
        }
    }

    public RgbImage(int width, int height) {
        this(width, height, new byte[3 * width * height]);
    }

    /** The pixel at (x, y) as 0xRRGGBB, as {@code BufferedImage.getRGB} gives it without alpha. */
    public int pixel(int x, int y) {
        int i = 3 * (y * width + x);
        return (rgb[i] & 0xFF) << 16 | (rgb[i + 1] & 0xFF) << 8 | (rgb[i + 2] & 0xFF);
    }
}
