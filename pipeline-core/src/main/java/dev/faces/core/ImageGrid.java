package dev.faces.core;

/**
 * Images as torchvision's {@code make_grid(padding=2)} lays them out, encoded as PNG: NCHW float pixels in
 * [-1, 1] (the generator's tanh output) mapped to 0..255, black 2-pixel gutters. No AWT, so that it runs in
 * the generator's native image.
 */
public final class ImageGrid {
    public static final int PADDING = 2;

    private ImageGrid() {
    }

    /**
     * @param pixels {@code count * 3 * size * size} floats, NCHW, in [-1, 1] (values outside are clamped)
     * @param cols   images per row; rows follow from the count
     */
    public static RgbImage render(float[] pixels, int count, int size, int cols) {
        return render(pixels, count, size, cols, PADDING);
    }

    /** As {@link #render(float[], int, int, int)} with the given gutter; 0 gives a bare image for one face. */
    public static RgbImage render(float[] pixels, int count, int size, int cols, int padding) {
        if (count < 1 || cols < 1 || pixels.length != count * 3 * size * size) {
            throw new IllegalArgumentException("need " + count + " RGB images of " + size + "x" + size + " and cols >= 1");
        }
        int rows = (count + cols - 1) / cols;
        int step = size + padding;
        RgbImage img = new RgbImage(Math.min(cols, count) * step + padding, rows * step + padding);
        byte[] rgb = img.rgb();
        int plane = size * size;
        for (int i = 0; i < count; i++) {
            int x0 = padding + (i % cols) * step;
            int y0 = padding + (i / cols) * step;
            int base = i * 3 * plane;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int p = y * size + x;
                    int at = 3 * ((y0 + y) * img.width() + x0 + x);
                    rgb[at] = (byte) level(pixels[base + p]);
                    rgb[at + 1] = (byte) level(pixels[base + plane + p]);
                    rgb[at + 2] = (byte) level(pixels[base + 2 * plane + p]);
                }
            }
        }
        return img;
    }

    public static byte[] png(float[] pixels, int count, int size, int cols) {
        return png(render(pixels, count, size, cols));
    }

    public static byte[] png(RgbImage image) {
        return PngEncoder.encode(image);
    }

    /** [-1, 1] to 0..255, rounding as torchvision's save_image does ({@code mul(255).add_(0.5).clamp_}). */
    static int level(float v) {
        float unit = (v + 1f) / 2f;
        int level = (int) (unit * 255f + 0.5f);
        return Math.max(0, Math.min(255, level));
    }
}
