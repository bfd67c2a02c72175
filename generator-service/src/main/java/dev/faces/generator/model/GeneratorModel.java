package dev.faces.generator.model;

import dev.faces.core.Latents;
import dev.faces.core.tensor.SafeTensors;
import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;

/**
 * The DCGAN generator's forward pass for serving, in plain Java (no JNI, so the service compiles natively),
 * on weights that {@link FoldedWeights} validated and folded eval-mode BatchNorm into. Activations are kept channel-major over
 * the whole batch ([C, N, H, W]), so each layer is one matrix product over every image at once:
 * {@code cols[out*16, N*H*W] = W'^T[out*16, in] x X[in, N*H*W]}, then col2im adds each column into the
 * 4x4 output window it came from (stride 2, padding 1), and bias plus ReLU (or tanh) finish in the same pass.
 */
public final class GeneratorModel {
    private final FoldedLayer[] layers;
    private final int ngf;
    /** The Vector API pass, when this JVM has the module; else (a native image) the plain-Java pass below. */
    private final VectorForward vector;

    /** Below this many positions (images x pixels) a layer runs the product transposed. */
    static final int NARROW = 256;

    private GeneratorModel(FoldedLayer[] layers, int ngf) {
        this.layers = layers;
        this.ngf = ngf;
        this.vector = Kernels.VECTOR ? new VectorForward(layers) : null;
    }

    /**
     * Loads a generator state_dict with the tutorial's names (validated and BN-folded by {@link FoldedWeights}).
     */
    public static GeneratorModel load(SafeTensors.Contents state) {
        FoldedLayer[] layers = FoldedWeights.fold(state);
        return new GeneratorModel(layers, layers[0].out() / 8);
    }

    /** Which matrix product this JVM runs (start the JVM with --add-modules jdk.incubator.vector for the fast one). */
    public static String kernel() {
        return Kernels.describe();
    }

    public int ngf() {
        return ngf;
    }

    /**
     * G(z) for {@code n} latents of 100 values each; returns NCHW pixels in [-1, 1], n * 3 * 64 * 64.
     * {@code pool} spreads each matrix product over its threads (null: the calling thread only).
     */
    public float[] generate(float[] latents, int n, ForkJoinPool pool) {
        if (latents.length != n * Latents.DIM) {
            throw new IllegalArgumentException("need " + n + " latents of " + Latents.DIM + " values");
        }
        if (vector != null) {
            return vector.generate(latents, n, pool);
        }
        return plainGenerate(latents, n, pool);
    }

    /** The plain-Java pass: channel-major activations, {@link Gemm} and col2im. */
    float[] plainGenerate(float[] latents, int n, ForkJoinPool pool) {
        // z as [100, N * 1 * 1]: channel-major with a 1x1 image per latent.
        float[] x = new float[Latents.DIM * n];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < Latents.DIM; c++) {
                x[c * n + i] = latents[i * Latents.DIM + c];
            }
        }
        int size = 1;
        for (FoldedLayer layer : layers) {
            int outSize = (size - 1) * layer.stride() - 2 * layer.padding() + 4;
            int positions = n * size * size;
            int rows = layer.out() * 16;
            float[] cols = colsBuffer(rows * positions);
            boolean narrow = positions < NARROW;
            if (narrow) {
                // cols^T [positions, out*16] = X^T [positions, in] x W [in, out*16]
                float[] xT = transpose(x, layer.in(), positions);
                Gemm.multiply(xT, layer.weightsByInput(), cols, positions, rows, layer.in(), pool);
            } else {
                Gemm.multiply(layer.weights(), x, cols, rows, positions, layer.in(), pool);
            }
            x = col2im(cols, narrow, layer, n, size, outSize, pool);
            size = outSize;
        }
        // [3, N, 64, 64] -> [N, 3, 64, 64]
        int plane = size * size;
        float[] out = new float[x.length];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < n; i++) {
                System.arraycopy(x, (c * n + i) * plane, out, (i * 3 + c) * plane, plane);
            }
        }
        return out;
    }

    /**
     * The products' output, reused by the thread (the batcher's) across layers and calls: every element is written
     * before it is read, and a fresh array would cost zeroing up to 64 MB per batch of 64.
     */
    private static final ThreadLocal<float[]> COLS = ThreadLocal.withInitial(() -> new float[0]);

    private static float[] colsBuffer(int size) {
        float[] buffer = COLS.get();
        if (buffer.length < size) {
            buffer = new float[size];
            COLS.set(buffer);
        }
        return buffer;
    }

    /** tanh through the intrinsic exp: within 1e-7 of Math.tanh in float, several times faster. */
    static float tanh(float x) {
        if (x > 9f) {
            return 1f;
        }
        if (x < -9f) {
            return -1f;
        }
        return (float) (1.0 - 2.0 / (Math.exp(2.0 * x) + 1.0));
    }

    private static float[] transpose(float[] x, int rows, int cols) {
        float[] t = new float[x.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = x[r * cols + c];
            }
        }
        return t;
    }

    /**
     * col2im for the 4x4 kernels with stride 2 and padding 1, by output phase: output (2q + py, 2r + px) is the sum
     * of exactly four taps, ky in {1, 3} (py 0) or {0, 2} (py 1) and the same for kx, each a contiguous row of
     * cols shifted by at most one. So an output row is four vectorisable row adds into a scratch row, then one
     * strided store with the bias and the activation, instead of sixteen strided scatter-adds.
     */
    private static float[] col2imStride2(float[] cols, FoldedLayer layer, int n, int size, ForkJoinPool pool) {
        int outSize = 2 * size;
        int inPlane = size * size;
        int outPlane = outSize * outSize;
        int positions = n * inPlane;
        float[] y = new float[layer.out() * n * outPlane];
        Runnable[] perChannel = new Runnable[layer.out()];
        for (int co = 0; co < layer.out(); co++) {
            int channel = co;
            perChannel[co] = () -> {
                float[] acc = new float[size];
                float b = layer.bias()[channel];
                for (int i = 0; i < n; i++) {
                    int dst = (channel * n + i) * outPlane;
                    for (int oy = 0; oy < outSize; oy++) {
                        int q = oy >> 1;
                        int py = oy & 1;
                        for (int px = 0; px < 2; px++) {
                            java.util.Arrays.fill(acc, 0f);
                            for (int ty = 0; ty < 2; ty++) {
                                int ky = py == 0 ? 1 + 2 * ty : 2 * ty;      // py 0: ky 1, 3; py 1: ky 0, 2
                                int iy = py == 0 ? q - ty : q + 1 - ty;      // the input row that reaches oy
                                if (iy < 0 || iy >= size) {
                                    continue;
                                }
                                for (int tx = 0; tx < 2; tx++) {
                                    int kx = px == 0 ? 1 + 2 * tx : 2 * tx;
                                    int dx = px == 0 ? -tx : 1 - tx;         // output column r reads input r + dx
                                    int src = (channel * 16 + ky * 4 + kx) * positions + i * inPlane + iy * size + dx;
                                    int r0 = Math.max(0, -dx);
                                    int r1 = Math.min(size, size - dx);
                                    addRow(acc, cols, src, r0, r1);
                                }
                            }
                            int out = dst + oy * outSize + px;
                            if (layer.last()) {
                                for (int r = 0; r < size; r++) {
                                    y[out + 2 * r] = tanh(acc[r] + b);
                                }
                            } else {
                                for (int r = 0; r < size; r++) {
                                    float v = acc[r] + b;
                                    y[out + 2 * r] = v > 0 ? v : 0;
                                }
                            }
                        }
                    }
                }
            };
        }
        runAll(perChannel, pool);
        return y;
    }

    private static void runAll(Runnable[] tasks, ForkJoinPool pool) {
        if (pool == null || pool.getParallelism() == 1) {
            for (Runnable r : tasks) {
                r.run();
            }
        } else {
            pool.submit(() -> java.util.Arrays.stream(tasks).parallel().forEach(Runnable::run)).join();
        }
    }

    private static void addRow(float[] acc, float[] cols, int offset, int from, int to) {
        for (int r = from; r < to; r++) {
            acc[r] += cols[offset + r];
        }
    }

    /**
     * Scatter-adds cols [out, 4, 4, N, H, W] (or, {@code transposed}, [N, H, W, out, 4, 4]) into
     * [out, N, outSize, outSize], then bias and activation.
     */
    private static float[] col2im(float[] cols, boolean transposed, FoldedLayer layer, int n, int size, int outSize,
                                  ForkJoinPool pool) {
        if (!transposed && layer.stride() == 2 && layer.padding() == 1) {
            return col2imStride2(cols, layer, n, size, pool);
        }
        int positions = n * size * size;
        int rowsTotal = layer.out() * 16;
        float[] y = new float[layer.out() * n * outSize * outSize];
        int inPlane = size * size;
        int outPlane = outSize * outSize;
        Runnable[] perChannel = new Runnable[layer.out()];
        for (int co = 0; co < layer.out(); co++) {
            int channel = co;
            perChannel[co] = () -> {
                int stride = layer.stride();
                int pad = layer.padding();
                for (int t = 0; t < 16; t++) {
                    int ky = t / 4;
                    int kx = t % 4;
                    // input positions whose output (i * stride - pad + k) falls inside the image
                    int iy0 = Math.max(0, Math.floorDiv(pad - ky + stride - 1, stride));
                    int iy1 = Math.min(size - 1, Math.floorDiv(outSize - 1 + pad - ky, stride));
                    int ix0 = Math.max(0, Math.floorDiv(pad - kx + stride - 1, stride));
                    int ix1 = Math.min(size - 1, Math.floorDiv(outSize - 1 + pad - kx, stride));
                    int row = channel * 16 + t;
                    int rowBase = row * positions;
                    for (int i = 0; i < n; i++) {
                        int src = rowBase + i * inPlane;
                        int dst = (channel * n + i) * outPlane;
                        for (int iy = iy0; iy <= iy1; iy++) {
                            int out = dst + (iy * stride - pad + ky) * outSize - pad + kx;
                            if (transposed) {
                                int pos = i * inPlane + iy * size;
                                for (int ix = ix0; ix <= ix1; ix++) {
                                    y[out + ix * stride] += cols[(pos + ix) * rowsTotal + row];
                                }
                            } else {
                                int in = src + iy * size;
                                for (int ix = ix0; ix <= ix1; ix++) {
                                    y[out + ix * stride] += cols[in + ix];
                                }
                            }
                        }
                    }
                }
                float b = layer.bias()[channel];
                int from = channel * n * outPlane;
                int to = from + n * outPlane;
                if (layer.last()) {
                    for (int p = from; p < to; p++) {
                        y[p] = tanh(y[p] + b);
                    }
                } else {
                    for (int p = from; p < to; p++) {
                        float v = y[p] + b;
                        y[p] = v > 0 ? v : 0;
                    }
                }
            };
        }
        runAll(perChannel, pool);
        return y;
    }
}
