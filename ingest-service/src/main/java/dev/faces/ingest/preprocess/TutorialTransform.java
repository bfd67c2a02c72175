package dev.faces.ingest.preprocess;

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

    public static byte[] apply(DecodedImage image) {
        int w = image.width();
        int h = image.height();
        // torchvision: the shorter side becomes 64, the longer int(64 * long / short)
        int ow = w <= h ? SIZE : (int) ((long) SIZE * w / h);
        int oh = w <= h ? (int) ((long) SIZE * h / w) : SIZE;
        int top = (int) Math.rint((oh - SIZE) / 2.0);
        int left = (int) Math.rint((ow - SIZE) / 2.0);
        // Only what the centre crop keeps is computed: the crop's 64 columns of the horizontal pass, over the
        // source rows that the crop's 64 output rows read. Each kept value is the same sum as in the full resize.
        Coefficients kx = ow != w ? coefficients(w, ow) : null;
        Coefficients ky = oh != h ? coefficients(h, oh) : null;
        int rowFrom = ky == null ? top : ky.start()[top];
        int rowTo = ky == null ? top + SIZE : rowFrom;
        for (int y = top; ky != null && y < top + SIZE; y++) {
            rowTo = Math.max(rowTo, ky.start()[y] + ky.count()[y]);
        }
        Bgr bgr = new Bgr(image.bgr(), 3 * rowFrom * w);
        int[][] rows = horizontal(bgr, w, rowTo - rowFrom, kx, left);
        byte[] out = new byte[3 * SIZE * SIZE];
        int[] acc = new int[SIZE];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < SIZE; y++) {
                int o = (c * SIZE + y) * SIZE;
                if (ky == null) {
                    for (int x = 0; x < SIZE; x++) {
                        out[o + x] = (byte) rows[c][(y + top - rowFrom) * SIZE + x];
                    }
                    continue;
                }
                int[] wk = ky.weights()[y + top];
                int y0 = ky.start()[y + top] - rowFrom;
                java.util.Arrays.fill(acc, 1 << (PRECISION_BITS - 1));
                for (int i = 0; i < wk.length; i++) { // row by row, so the 64 sums run as vectors
                    int weight = wk[i];
                    int[] plane = rows[c];
                    int base = (y0 + i) * SIZE;
                    for (int x = 0; x < SIZE; x++) {
                        acc[x] += plane[base + x] * weight;
                    }
                }
                for (int x = 0; x < SIZE; x++) {
                    out[o + x] = (byte) clip8(acc[x]);
                }
            }
        }
        return out;
    }

    /** Interleaved B, G, R bytes of some rows, {@code offset} where the first of them starts. */
    private record Bgr(byte[] data, int offset) {
    }

    /**
     * The crop's 64 columns of the horizontal pass (or the columns themselves when the width is kept) for every
     * row of {@code bgr}, as R, G and B planes: the three channels share each coefficient.
     */
    private static int[][] horizontal(Bgr bgr, int w, int rowCount, Coefficients k, int left) {
        int[][] rows = {new int[rowCount * SIZE], new int[rowCount * SIZE], new int[rowCount * SIZE]};
        byte[] d = bgr.data();
        int half = 1 << (PRECISION_BITS - 1);
        for (int y = 0; y < rowCount; y++) {
            int rowBase = bgr.offset() + 3 * y * w;
            for (int x = 0; x < SIZE; x++) {
                int o = y * SIZE + x;
                if (k == null) {
                    int p = rowBase + 3 * (x + left);
                    rows[2][o] = d[p] & 0xFF;
                    rows[1][o] = d[p + 1] & 0xFF;
                    rows[0][o] = d[p + 2] & 0xFF;
                    continue;
                }
                int[] wk = k.weights()[x + left];
                int accB = half;
                int accG = half;
                int accR = half;
                for (int i = 0, p = rowBase + 3 * k.start()[x + left]; i < wk.length; i++, p += 3) {
                    int weight = wk[i];
                    accB += (d[p] & 0xFF) * weight;
                    accG += (d[p + 1] & 0xFF) * weight;
                    accR += (d[p + 2] & 0xFF) * weight;
                }
                rows[0][o] = clip8(accR);
                rows[1][o] = clip8(accG);
                rows[2][o] = clip8(accB);
            }
        }
        return rows;
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
}
