package dev.faces.generator.model;

import static dev.faces.generator.model.PanelKernel.NR;

/**
 * The folded generator repacked once per loaded model for {@link PanelKernel}: each product's B as panels of
 * NR columns, the depth of a panel contiguous, and the bias padded to whole panels.
 *
 * <p>A stride-2 transposed convolution is four products, one per output phase (py, px): output
 * (2q + py, 2r + px) is the sum over exactly four taps, input (q + dy, r + dx) times kernel (ky, kx), with
 * ky in {1, 3} and dy in {0, -1} for py 0, ky in {0, 2} and dy in {+1, 0} for py 1 (the same for x). Each phase's
 * B is those four kernel slices stacked, [4 * in, out].
 */
final class PackedLayers {
    private PackedLayers() {
    }

    /** Layer 1 (1x1 to 4x4, stride 1, no padding): B is [in, 16 taps x out], out padded to whole panels per tap. */
    record Latent(int in, int out, int panelsPerTap, float[] b, float[] bias) {
        static Latent of(FoldedLayer l) {
            int ppt = panelsFor(l.out());
            float[] b = new float[16 * ppt * l.in() * NR];
            for (int t = 0; t < 16; t++) {
                for (int pp = 0; pp < ppt; pp++) {
                    int base = (t * ppt + pp) * l.in() * NR;
                    for (int ci = 0; ci < l.in(); ci++) {
                        for (int j = 0; j < NR && pp * NR + j < l.out(); j++) {
                            b[base + ci * NR + j] = weight(l, ci, pp * NR + j, t);
                        }
                    }
                }
            }
            return new Latent(l.in(), l.out(), ppt, b, paddedBias(l, ppt));
        }
    }

    /** Layers 2 to 4: per phase (py * 2 + px) and panel, the depth is tap-major: 4 taps x in. */
    record Phased(int in, int out, int panels, float[] b, float[] bias) {
        static Phased of(FoldedLayer l) {
            int panels = panelsFor(l.out());
            int depth = 4 * l.in();
            float[] b = new float[4 * panels * depth * NR];
            for (int phase = 0; phase < 4; phase++) {
                for (int tap = 0; tap < 4; tap++) {
                    int t = kernelTap(phase >> 1, tap >> 1) * 4 + kernelTap(phase & 1, tap & 1);
                    for (int pj = 0; pj < panels; pj++) {
                        int base = ((phase * panels + pj) * depth + tap * l.in()) * NR;
                        for (int ci = 0; ci < l.in(); ci++) {
                            for (int j = 0; j < NR && pj * NR + j < l.out(); j++) {
                                b[base + ci * NR + j] = weight(l, ci, pj * NR + j, t);
                            }
                        }
                    }
                }
            }
            return new Phased(l.in(), l.out(), panels, b, paddedBias(l, panels));
        }

        /** Where tap (ty, tx) of phase (py, px) reads, in floats from the output position's own input pixel. */
        static int delta(int phase, int tap, int paddedWidth, int channels) {
            return (inputShift(phase >> 1, tap >> 1) * paddedWidth + inputShift(phase & 1, tap & 1)) * channels;
        }
    }

    /**
     * Layer 5 (to 3 channels): too few outputs for a panel per phase, so it is the plain product
     * [positions, in] x [in, 16 taps x 3] into columns (ky * 4 + kx) * 3 + c, and col2im sums the taps after.
     */
    record Last(int in, int out, int panels, float[] b, float[] bias) {
        static Last of(FoldedLayer l) {
            int columns = 16 * l.out();
            int panels = panelsFor(columns);
            float[] b = new float[panels * l.in() * NR];
            for (int col = 0; col < columns; col++) {
                int base = (col / NR) * l.in() * NR + col % NR;
                for (int ci = 0; ci < l.in(); ci++) {
                    b[base + ci * NR] = weight(l, ci, col % l.out(), col / l.out());
                }
            }
            return new Last(l.in(), l.out(), panels, b, l.bias().clone());
        }
    }

    /** Kernel row (or column) of tap t (0 or 1) for output phase p: 1, 3 for phase 0 and 0, 2 for phase 1. */
    static int kernelTap(int p, int t) {
        return p == 0 ? 1 + 2 * t : 2 * t;
    }

    /** Input row (or column) offset of tap t for phase p: 0, -1 for phase 0 and +1, 0 for phase 1. */
    static int inputShift(int p, int t) {
        return p == 0 ? -t : 1 - t;
    }

    static int panelsFor(int columns) {
        return (columns + NR - 1) / NR;
    }

    /** Folded W[ci][co][ky][kx] with t = ky * 4 + kx. */
    private static float weight(FoldedLayer l, int ci, int co, int t) {
        return l.weightsByInput()[(ci * l.out() + co) * 16 + t];
    }

    private static float[] paddedBias(FoldedLayer l, int panels) {
        float[] bias = new float[panels * NR];
        System.arraycopy(l.bias(), 0, bias, 0, l.out());
        return bias;
    }
}
