package dev.faces.generator.model;

import static dev.faces.generator.model.PanelKernel.NR;

import dev.faces.core.Latents;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The generator's forward pass on the Vector API. Activations are NHWC with a one-pixel zero border, so every
 * layer is one implicit product per output phase (see {@link PackedLayers}) whose epilogue adds the bias, applies
 * ReLU and writes straight into the next layer's input; only the 3-channel last layer goes through col2im.
 *
 * <pre>
 * z       [N, 100]                  product with [100, 16 x 512], into the padded [N, 6, 6, 512]
 * layer 2 [N, 4, 4, 512]   4 phases of [N*4*4, 4*512] x [4*512, 256]   -> [N, 8, 8, 256]
 * layer 3 [N, 8, 8, 256]   4 phases of [N*8*8, 4*256] x [4*256, 128]   -> [N, 16, 16, 128]
 * layer 4 [N, 16, 16, 128] 4 phases of [N*16*16, 4*128] x [4*128, 64] -> [N, 32, 32, 64]
 * layer 5 [N, 32, 32, 64]  [N*32*32, 64] x [64, 16 x 3], col2im, tanh -> NCHW [N, 3, 64, 64]
 * </pre>
 */
final class VectorForward {
    /** Rows of one task: 16 six-row blocks, small enough that one face still splits over both cores. */
    private static final int CHUNK = 96;

    private final PackedLayers.Latent first;
    private final PackedLayers.Phased[] middle;
    private final PackedLayers.Last last;
    /** Where each row of B reads its row of A: [layer][phase][4 * in] for the middle layers. */
    private final int[][][] middleOffsets;
    private final int[] firstOffsets;
    private final int[] lastOffsets;

    VectorForward(FoldedLayer[] layers) {
        first = PackedLayers.Latent.of(layers[0]);
        middle = new PackedLayers.Phased[layers.length - 2];
        middleOffsets = new int[middle.length][4][];
        for (int i = 0, size = 4; i < middle.length; i++, size *= 2) {
            middle[i] = PackedLayers.Phased.of(layers[i + 1]);
            int in = middle[i].in();
            for (int phase = 0; phase < 4; phase++) {
                int[] offsets = new int[4 * in];
                for (int tap = 0; tap < 4; tap++) {
                    int delta = PackedLayers.Phased.delta(phase, tap, size + 2, in);
                    for (int ci = 0; ci < in; ci++) {
                        offsets[tap * in + ci] = delta + ci;
                    }
                }
                middleOffsets[i][phase] = offsets;
            }
        }
        last = PackedLayers.Last.of(layers[layers.length - 1]);
        firstOffsets = IntStream.range(0, first.in()).toArray();
        lastOffsets = IntStream.range(0, last.in()).toArray();
    }

    /**
     * Per calling thread (the batcher's): the activations are reused across calls and models. Their zero borders
     * are never written, so a buffer is cleared only when it is new or last held another layout (another width).
     */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        final float[][] activations = new float[8][];
        final int[] layouts = new int[8];
        final int[][] rows = new int[16][];

        /** {@code layout}: what fixes where the borders are, here the channels per pixel. */
        float[] activation(int layer, int size, int layout) {
            if (activations[layer] == null || activations[layer].length < size) {
                activations[layer] = new float[size];
            } else if (layouts[layer] != layout) {
                java.util.Arrays.fill(activations[layer], 0f);
            }
            layouts[layer] = layout;
            return activations[layer];
        }

        int[] rows(int slot, int size) {
            if (rows[slot] == null || rows[slot].length < size) {
                rows[slot] = new int[size];
            }
            return rows[slot];
        }
    }

    float[] generate(float[] latents, int n, ForkJoinPool pool) {
        Scratch scratch = SCRATCH.get();
        try (Crew crew = new Crew(pool)) {
            float[] x = latent(latents, n, scratch, crew);
            int size = 4;
            for (int l = 0; l < middle.length; l++) {
                x = phased(middle[l], middleOffsets[l], x, n, size, scratch, l + 1, crew);
                size *= 2;
            }
            return lastLayer(x, n, size, scratch, crew);
        }
    }

    private float[] latent(float[] z, int n, Scratch scratch, Crew crew) {
        int out = first.out();
        int image = 36 * out;
        float[] y = scratch.activation(0, n * image, out);
        int[] aRow = scratch.rows(0, n);
        int[] cRow = scratch.rows(1, n);
        for (int i = 0; i < n; i++) {
            aRow[i] = i * Latents.DIM;
            cRow[i] = i * image;
        }
        int ppt = first.panelsPerTap();
        int chunks = chunks(n);
        int depth = first.in() * NR;
        crew.run(16 * ppt * chunks, task -> {
            int panel = task / chunks;
            int t = panel / ppt;
            int pp = panel % ppt;
            int r0 = task % chunks * CHUNK;
            int cAdd = ((t / 4 + 1) * 6 + t % 4 + 1) * out + pp * NR;
            PanelKernel.rows(z, aRow, r0, Math.min(n, r0 + CHUNK), firstOffsets, first.b(), panel * depth,
                    y, cRow, cAdd, Math.min(NR, out - pp * NR), first.bias(), pp * NR);
        });
        return y;
    }

    /** One stride-2 layer: x is padded [n, size + 2, size + 2, in], the result padded [n, 2 size + 2, ..., out]. */
    private static float[] phased(PackedLayers.Phased layer, int[][] offsets, float[] x, int n, int size, Scratch scratch, int slot,
                                  Crew crew) {
        int in = layer.in();
        int out = layer.out();
        int inWidth = size + 2;
        int outWidth = 2 * size + 2;
        float[] y = scratch.activation(slot, n * outWidth * outWidth * out, out);
        int rows = n * size * size;
        int[] aRow = scratch.rows(2 * slot, rows);
        int[] cRow = scratch.rows(2 * slot + 1, rows);
        for (int r = 0; r < rows; r++) {
            int i = r / (size * size);
            int q = r / size % size;
            int c = r % size;
            aRow[r] = ((i * inWidth + q + 1) * inWidth + c + 1) * in;
            cRow[r] = ((i * outWidth + 2 * q + 1) * outWidth + 2 * c + 1) * out;
        }
        int panels = layer.panels();
        int chunks = chunks(rows);
        int panelFloats = 4 * in * NR;
        crew.run(4 * panels * chunks, task -> {
            int phasePanel = task / chunks;
            int phase = phasePanel / panels;
            int pj = phasePanel % panels;
            int r0 = task % chunks * CHUNK;
            int cAdd = ((phase >> 1) * outWidth + (phase & 1)) * out + pj * NR;
            PanelKernel.rows(x, aRow, r0, Math.min(rows, r0 + CHUNK), offsets[phase], layer.b(),
                    phasePanel * panelFloats, y, cRow, cAdd, Math.min(NR, out - pj * NR), layer.bias(), pj * NR);
        });
        return y;
    }

    /** Layer 5: the product into columns, then col2im by phase, the bias and tanh, written as NCHW. */
    private float[] lastLayer(float[] x, int n, int size, Scratch scratch, Crew crew) {
        int in = last.in();
        int inWidth = size + 2;
        int width = last.panels() * NR;
        int rows = n * size * size;
        float[] cols = scratch.activation(7, rows * width, width);
        int[] aRow = scratch.rows(14, rows);
        int[] cRow = scratch.rows(15, rows);
        for (int r = 0; r < rows; r++) {
            int i = r / (size * size);
            aRow[r] = ((i * inWidth + r / size % size + 1) * inWidth + r % size + 1) * in;
            cRow[r] = r * width;
        }
        int chunks = chunks(rows);
        crew.run(last.panels() * chunks, task -> {
            int pj = task / chunks;
            int r0 = task % chunks * CHUNK;
            PanelKernel.rows(x, aRow, r0, Math.min(rows, r0 + CHUNK), lastOffsets, last.b(), pj * in * NR,
                    cols, cRow, pj * NR, NR, null, 0);
        });
        int channels = last.out();
        int outSize = 2 * size;
        float[] y = new float[n * channels * outSize * outSize];
        int bands = 4; // rows of output per task: a quarter image, so one face still uses both cores
        crew.run(n * bands, task -> col2im(cols, width, task / bands, task % bands * outSize / bands,
                (task % bands + 1) * outSize / bands, size, channels, y));
        return y;
    }

    /**
     * Output rows [oy0, oy1) of image i into y (NCHW): each pixel is the sum of its phase's four taps (fewer at the
     * border), then bias and tanh. A row is summed into a scratch row per channel, tap by tap over contiguous
     * runs of input columns, so the loops carry no bounds tests.
     */
    private void col2im(float[] cols, int width, int i, int oy0, int oy1, int size, int channels, float[] y) {
        int outSize = 2 * size;
        int plane = outSize * outSize;
        int image = i * channels * plane;
        float[] acc = new float[channels * outSize];
        for (int oy = oy0; oy < oy1; oy++) {
            java.util.Arrays.fill(acc, 0f);
            int py = oy & 1;
            for (int ty = 0; ty < 2; ty++) {
                int iy = (oy >> 1) + PackedLayers.inputShift(py, ty);
                if (iy < 0 || iy >= size) {
                    continue;
                }
                int ky = PackedLayers.kernelTap(py, ty);
                for (int px = 0; px < 2; px++) {
                    for (int tx = 0; tx < 2; tx++) {
                        int dx = PackedLayers.inputShift(px, tx);
                        int column = (ky * 4 + PackedLayers.kernelTap(px, tx)) * channels;
                        int from = Math.max(0, -dx);
                        int to = Math.min(size, size - dx);
                        int src = ((i * size + iy) * size + from + dx) * width + column;
                        for (int r = from; r < to; r++, src += width) {
                            for (int c = 0; c < channels; c++) {
                                acc[c * outSize + 2 * r + px] += cols[src + c];
                            }
                        }
                    }
                }
            }
            for (int c = 0; c < channels; c++) {
                float b = last.bias()[c];
                int dst = image + c * plane + oy * outSize;
                int p = 0;
                for (; p + PanelKernel.L <= outSize; p += PanelKernel.L) {
                    FloatVector.fromArray(PanelKernel.S, acc, c * outSize + p).add(b)
                            .lanewise(VectorOperators.TANH).intoArray(y, dst + p);
                }
                for (; p < outSize; p++) {
                    y[dst + p] = GeneratorModel.tanh(acc[c * outSize + p] + b);
                }
            }
        }
    }

    private static int chunks(int rows) {
        return (rows + CHUNK - 1) / CHUNK;
    }

}
