package dev.faces.ingest.preprocess;

import java.awt.image.BufferedImage;

/**
 * The DCGAN tutorial's {@code Resize(64)} + {@code CenterCrop(64)} as torchvision applies them to a PIL image,
 * reproduced exactly: PIL's separable antialiased bilinear resampling (triangle filter widened by the scale,
 * coefficients in 22-bit fixed point, horizontal pass first, each pass rounded and clipped to 8 bits), then
 * torchvision's centre crop (offsets rounded half to even, as Python's round does). The result is uint8 RGB,
 * channel-major [3, 64, 64]: what a shard stores.
 */
public final class TutorialTransform {
    public static final int SIZE = 64;
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private TutorialTransform() {
    }

    public static byte[] apply(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[][] planes = planes(image);
        // torchvision: the shorter side becomes 64, the longer int(64 * long / short)
        int ow = w <= h ? SIZE : (int) ((long) SIZE * w / h);
        int oh = w <= h ? (int) ((long) SIZE * h / w) : SIZE;
        int top = (int) Math.rint((oh - SIZE) / 2.0);
        int left = (int) Math.rint((ow - SIZE) / 2.0);
        byte[] out = new byte[3 * SIZE * SIZE];
        for (int c = 0; c < 3; c++) {
            int[] plane = planes[c];
            if (ow != w) {
                plane = horizontal(plane, w, h, ow);
            }
            if (oh != h) {
                plane = vertical(plane, ow, h, oh);
            }
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    out[(c * SIZE + y) * SIZE + x] = (byte) plane[(y + top) * ow + x + left];
                }
            }
        }
        return out;
    }

    /** R, G and B planes, read straight from the decoder's buffer for the common layouts. */
    static int[][] planes(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[][] planes = new int[3][w * h];
        var raster = image.getRaster();
        boolean plain = raster.getParent() == null && raster.getSampleModelTranslateX() == 0
                && raster.getSampleModelTranslateY() == 0;
        if (plain && image.getType() == BufferedImage.TYPE_3BYTE_BGR
                && raster.getSampleModel() instanceof java.awt.image.PixelInterleavedSampleModel sm
                && sm.getPixelStride() == 3 && sm.getScanlineStride() == 3 * w) {
            byte[] d = ((java.awt.image.DataBufferByte) raster.getDataBuffer()).getData();
            for (int i = 0, p = 0; i < w * h; i++, p += 3) {
                planes[2][i] = d[p] & 0xFF;
                planes[1][i] = d[p + 1] & 0xFF;
                planes[0][i] = d[p + 2] & 0xFF;
            }
            return planes;
        }
        if (plain && image.getType() == BufferedImage.TYPE_INT_RGB
                && raster.getSampleModel() instanceof java.awt.image.SinglePixelPackedSampleModel sm
                && sm.getScanlineStride() == w) {
            int[] d = ((java.awt.image.DataBufferInt) raster.getDataBuffer()).getData();
            for (int i = 0; i < w * h; i++) {
                planes[0][i] = (d[i] >> 16) & 0xFF;
                planes[1][i] = (d[i] >> 8) & 0xFF;
                planes[2][i] = d[i] & 0xFF;
            }
            return planes;
        }
        int[] rgb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < rgb.length; i++) {
            planes[0][i] = (rgb[i] >> 16) & 0xFF;
            planes[1][i] = (rgb[i] >> 8) & 0xFF;
            planes[2][i] = rgb[i] & 0xFF;
        }
        return planes;
    }

    private static final java.util.Map<Long, Coefficients> COEFFICIENTS = new java.util.concurrent.ConcurrentHashMap<>();

    static Coefficients coefficients(int inSize, int outSize) {
        return COEFFICIENTS.computeIfAbsent((long) inSize << 32 | outSize, k -> Coefficients.of(inSize, outSize));
    }

    /** PIL's precompute_coeffs for the bilinear filter, normalised and converted to fixed point. */
    record Coefficients(int[] start, int[] count, int[][] weights) {
        static Coefficients of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = 1.0 * filterScale;
            int[] start = new int[outSize];
            int[] count = new int[outSize];
            int[][] weights = new int[outSize][];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                double ss = 1.0 / filterScale;
                int xmin = Math.max(0, (int) (center - support + 0.5));
                int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
                double[] k = new double[xmax];
                double sum = 0;
                for (int x = 0; x < xmax; x++) {
                    double t = Math.abs((x + xmin - center + 0.5) * ss);
                    k[x] = t < 1.0 ? 1.0 - t : 0.0;
                    sum += k[x];
                }
                int[] fixed = new int[xmax];
                for (int x = 0; x < xmax; x++) {
                    double v = sum != 0 ? k[x] / sum : k[x];
                    fixed[x] = (int) (v * (1 << PRECISION_BITS) + (v < 0 ? -0.5 : 0.5));
                }
                start[xx] = xmin;
                count[xx] = xmax;
                weights[xx] = fixed;
            }
            return new Coefficients(start, count, weights);
        }
    }

    /** Weights are non-negative and sum to 2^22, so 255 * 2^22 plus the rounding half fits an int, as in PIL. */
    private static int clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    static int[] horizontal(int[] in, int w, int h, int ow) {
        Coefficients k = coefficients(w, ow);
        int[] out = new int[ow * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < ow; x++) {
                int acc = 1 << (PRECISION_BITS - 1);
                int[] wk = k.weights()[x];
                int base = y * w + k.start()[x];
                for (int i = 0; i < wk.length; i++) {
                    acc += in[base + i] * wk[i];
                }
                out[y * ow + x] = clip8(acc);
            }
        }
        return out;
    }

    static int[] vertical(int[] in, int w, int h, int oh) {
        Coefficients k = coefficients(h, oh);
        int[] out = new int[w * oh];
        for (int y = 0; y < oh; y++) {
            int[] wk = k.weights()[y];
            int y0 = k.start()[y];
            for (int x = 0; x < w; x++) {
                int acc = 1 << (PRECISION_BITS - 1);
                for (int i = 0; i < wk.length; i++) {
                    acc += in[(y0 + i) * w + x] * wk[i];
                }
                out[y * w + x] = clip8(acc);
            }
        }
        return out;
    }
}
