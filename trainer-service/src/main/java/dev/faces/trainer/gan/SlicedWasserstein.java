package dev.faces.trainer.gan;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Sliced Wasserstein distance between two image sets, as in Karras et al. 2018 (Progressive GAN):
 * Laplacian pyramid levels 64, 32 and 16; 128 random 7x7 neighbourhoods per image and level; descriptors
 * normalised per channel; 4 repeats of 128 random directions. Reported x1e3, averaged over the levels.
 */
public final class SlicedWasserstein {
    static final int PATCH = 7;
    static final int PATCHES_PER_IMAGE = 128;
    static final int REPEATS = 4;
    static final int DIRECTIONS = 128;
    static final int LEVELS = 3;
    private static final float[] BINOMIAL = {1 / 16f, 4 / 16f, 6 / 16f, 4 / 16f, 1 / 16f};

    private SlicedWasserstein() {
    }

    /**
     * The projections of descriptors onto directions, the bulk of the work (about 10 GFLOP a set and level at 512
     * images). {@link #JAVA} is plain Java; the trainer passes {@link LibtorchProjector}, one matrix product per
     * block of directions in libtorch.
     */
    public interface Projector {
        /** {@code rows} descriptors of {@code dim} values, row-major, to be projected block after block. */
        Projected prepare(float[] descriptors, int rows, int dim);
    }

    /** Prepared descriptors. */
    public interface Projected extends AutoCloseable {
        /** Onto {@code count} unit directions ({@code count x dim}): the projections, {@code count x rows}. */
        float[] onto(float[] directions, int count);

        @Override
        void close();
    }

    /** Plain Java, on all cores: the reference, and what the tests use. */
    public static final Projector JAVA = (descriptors, rows, dim) -> new Projected() {
        @Override
        public float[] onto(float[] directions, int count) {
            return projectInJava(descriptors, rows, dim, directions, count);
        }

        @Override
        public void close() {
        }
    };

    /** Directions projected (and their projections sorted) per block: 64 x 65,536 floats is 16 MB a set. */
    static final int DIRECTION_BLOCK = 64;

    /** Images NCHW, 3 x 64 x 64 each, any value range (both sets alike). Uses min(countA, countB) images of each. */
    public static double distance(float[] a, int countA, float[] b, int countB, long seed) {
        return distance(a, countA, b, countB, seed, JAVA);
    }

    /** As {@link #distance(float[], int, float[], int, long)}, projecting with {@code projector}. */
    public static double distance(float[] a, int countA, float[] b, int countB, long seed, Projector projector) {
        int n = Math.min(countA, countB);
        SplittableRandom random = new SplittableRandom(seed);
        double total = 0;
        float[][] levelsA = pyramid(a, n);
        float[][] levelsB = pyramid(b, n);
        for (int level = 0; level < LEVELS; level++) {
            int size = 64 >> level;
            float[] da = descriptors(levelsA[level], n, size, random.split());
            float[] db = descriptors(levelsB[level], n, size, random.split());
            normalise(da);
            normalise(db);
            total += sliced(da, db, n * PATCHES_PER_IMAGE, random.split(), projector);
        }
        return total / LEVELS * 1e3;
    }

    /** Level 0 and 1 are Laplacian (detail) bands, level 2 the 16x16 Gaussian residual. */
    static float[][] pyramid(float[] images, int n) {
        float[][] levels = new float[LEVELS][];
        float[] current = Arrays.copyOf(images, n * 3 * 64 * 64);
        int size = 64;
        for (int level = 0; level < LEVELS - 1; level++) {
            float[] down = downsample(current, n * 3, size);
            float[] up = upsample(down, n * 3, size / 2);
            float[] band = new float[current.length];
            for (int i = 0; i < band.length; i++) {
                band[i] = current[i] - up[i];
            }
            levels[level] = band;
            current = down;
            size /= 2;
        }
        levels[LEVELS - 1] = current;
        return levels;
    }

    /** Binomial 5x5 blur then every second pixel, with mirrored edges. */
    static float[] downsample(float[] planes, int count, int size) {
        int half = size / 2;
        float[] blurred = blur(planes, count, size, 1f);
        float[] out = new float[count * half * half];
        for (int p = 0; p < count; p++) {
            for (int y = 0; y < half; y++) {
                for (int x = 0; x < half; x++) {
                    out[(p * half + y) * half + x] = blurred[(p * size + 2 * y) * size + 2 * x];
                }
            }
        }
        return out;
    }

    /** Zeros between the pixels, then the binomial blur with gain 4 to keep the brightness. */
    static float[] upsample(float[] planes, int count, int size) {
        int big = size * 2;
        float[] spread = new float[count * big * big];
        for (int p = 0; p < count; p++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    spread[(p * big + 2 * y) * big + 2 * x] = planes[(p * size + y) * size + x];
                }
            }
        }
        return blur(spread, count, big, 4f);
    }

    private static float[] blur(float[] planes, int count, int size, float gain) {
        float[] rows = new float[planes.length];
        float[] out = new float[planes.length];
        for (int p = 0; p < count; p++) {
            int base = p * size * size;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    float s = 0;
                    for (int k = -2; k <= 2; k++) {
                        s += BINOMIAL[k + 2] * planes[base + y * size + mirror(x + k, size)];
                    }
                    rows[base + y * size + x] = s;
                }
            }
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    float s = 0;
                    for (int k = -2; k <= 2; k++) {
                        s += BINOMIAL[k + 2] * rows[base + mirror(y + k, size) * size + x];
                    }
                    out[base + y * size + x] = s * gain;
                }
            }
        }
        return out;
    }

    /** Mirrored borders (d c b | a b c d | c b a), as scipy's mode='mirror' in Karras et al.'s reference code. */
    private static int mirror(int i, int size) {
        return i < 0 ? -i : i >= size ? 2 * (size - 1) - i : i;
    }

    static final int DIM = 3 * PATCH * PATCH;

    /** n * 128 descriptors of 3 * 7 * 7 values from random neighbourhoods, row-major. */
    static float[] descriptors(float[] level, int n, int size, SplittableRandom random) {
        float[] out = new float[n * PATCHES_PER_IMAGE * DIM];
        int plane = size * size;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < PATCHES_PER_IMAGE; k++) {
                int y0 = random.nextInt(size - PATCH + 1);
                int x0 = random.nextInt(size - PATCH + 1);
                float[] d = out;
                int j = (i * PATCHES_PER_IMAGE + k) * DIM;
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < PATCH; y++) {
                        for (int x = 0; x < PATCH; x++) {
                            d[j++] = level[(i * 3 + c) * plane + (y0 + y) * size + x0 + x];
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Per channel: subtract the mean and divide by the standard deviation over all descriptors. */
    static void normalise(float[] desc) {
        int per = PATCH * PATCH;
        int rows = desc.length / DIM;
        for (int c = 0; c < 3; c++) {
            double sum = 0;
            double sq = 0;
            long count = (long) rows * per;
            for (int r = 0; r < rows; r++) {
                for (int j = r * DIM + c * per, end = j + per; j < end; j++) {
                    sum += desc[j];
                    sq += (double) desc[j] * desc[j];
                }
            }
            double mean = sum / count;
            double std = Math.sqrt(Math.max(sq / count - mean * mean, 1e-12));
            for (int r = 0; r < rows; r++) {
                for (int j = r * DIM + c * per, end = j + per; j < end; j++) {
                    desc[j] = (float) ((desc[j] - mean) / std);
                }
            }
        }
    }

    /**
     * The mean over 4 x 128 random unit directions of the 1-D Wasserstein distance between the projections.
     * Directions are drawn in order from {@code random} and projected a block at a time; the sorts run in
     * parallel, and the per-direction results are summed in direction order, so the value does not depend on the
     * thread count.
     */
    static double sliced(float[] a, float[] b, int rows, SplittableRandom random, Projector projector) {
        int total = REPEATS * DIRECTIONS;
        float[] dirs = new float[total * DIM];
        for (int k = 0; k < total; k++) {
            double norm = 0;
            for (int j = 0; j < DIM; j++) {
                double g = gaussian(random);
                dirs[k * DIM + j] = (float) g;
                norm += g * g;
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int j = 0; j < DIM; j++) {
                dirs[k * DIM + j] *= inv;
            }
        }
        double[] perDirection = new double[total];
        ThreadLocal<int[][]> buffers = ThreadLocal.withInitial(() -> new int[][] {new int[rows], new int[rows],
                new int[rows]});
        try (Projected setA = projector.prepare(a, rows, DIM); Projected setB = projector.prepare(b, rows, DIM)) {
          for (int first = 0; first < total; first += DIRECTION_BLOCK) {
            int count = Math.min(DIRECTION_BLOCK, total - first);
            float[] block = Arrays.copyOfRange(dirs, first * DIM, (first + count) * DIM);
            float[] pa = setA.onto(block, count);
            float[] pb = setB.onto(block, count);
            int offset = first;
            java.util.stream.IntStream.range(0, count).parallel().forEach(k -> {
                int[][] buf = buffers.get();
                int[] ka = buf[0];
                int[] kb = buf[1];
                for (int i = 0, o = k * rows; i < rows; i++, o++) {
                    ka[i] = sortKey(pa[o]);
                    kb[i] = sortKey(pb[o]);
                }
                radixSort(ka, buf[2]);
                radixSort(kb, buf[2]);
                double sum = 0;
                for (int i = 0; i < rows; i++) {
                    sum += Math.abs(fromSortKey(ka[i]) - fromSortKey(kb[i]));
                }
                perDirection[offset + k] = sum / rows;
            });
          }
        }
        double sum = 0;
        for (double v : perDirection) {
            sum += v;
        }
        return sum / total;
    }

    /** Each projection a dot product with four partial sums; directions in parallel. */
    private static float[] projectInJava(float[] descriptors, int rows, int dim, float[] directions, int count) {
        float[] out = new float[count * rows];
        java.util.stream.IntStream.range(0, count).parallel().forEach(k -> {
            for (int i = 0; i < rows; i++) {
                out[k * rows + i] = dot(descriptors, i * dim, directions, k * dim, dim);
            }
        });
        return out;
    }

    /** The float's bits, flipped so that signed int order is float order (negative floats reversed). */
    static int sortKey(float v) {
        int bits = Float.floatToRawIntBits(v);
        return bits ^ ((bits >> 31) & 0x7FFFFFFF);
    }

    static float fromSortKey(int key) {
        return Float.intBitsToFloat(key ^ ((key >> 31) & 0x7FFFFFFF));
    }

    /**
     * LSD radix sort of ints in three 11-bit passes: the projections are sorted 3,072 times per SWD, and this is
     * several times faster than a comparison sort at 65,536 values. The sign bit is flipped in the last pass.
     */
    static void radixSort(int[] values, int[] scratch) {
        int n = values.length;
        int[] src = values;
        int[] dst = scratch;
        int[] count = new int[2048];
        for (int shift = 0; shift < 33; shift += 11) {
            java.util.Arrays.fill(count, 0);
            int bits = shift == 22 ? 10 : 11;
            int mask = (1 << bits) - 1;
            int flip = shift == 22 ? 0x200 : 0; // the sign bit: negative keys first
            for (int i = 0; i < n; i++) {
                count[((src[i] >>> shift) & mask) ^ flip]++;
            }
            for (int i = 0, sum = 0; i <= mask; i++) {
                int c = count[i];
                count[i] = sum;
                sum += c;
            }
            for (int i = 0; i < n; i++) {
                int v = src[i];
                dst[count[((v >>> shift) & mask) ^ flip]++] = v;
            }
            int[] t = src;
            src = dst;
            dst = t;
        }
        if (src != values) {
            System.arraycopy(src, 0, values, 0, n);
        }
    }

    /** Four partial sums, so the JIT can keep several multiply-adds in flight. */
    private static float dot(float[] x, int xo, float[] y, int yo, int n) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += x[xo + i] * y[yo + i];
            s1 += x[xo + i + 1] * y[yo + i + 1];
            s2 += x[xo + i + 2] * y[yo + i + 2];
            s3 += x[xo + i + 3] * y[yo + i + 3];
        }
        for (; i < n; i++) {
            s0 += x[xo + i] * y[yo + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private static double gaussian(SplittableRandom random) {
        double u1 = random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
