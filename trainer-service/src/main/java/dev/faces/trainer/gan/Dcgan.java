package dev.faces.trainer.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;

/**
 * The PyTorch DCGAN tutorial's networks (DESIGN §5) as forward functions over a {@link Net}'s tensors.
 *
 * <p>Every forward pass runs in a step manager: parameters are aliased into it first, because DJL attaches
 * an op's result to its first operand's manager and results derived from long-lived parameters would
 * otherwise accumulate for the life of the model.
 *
 * <p>DJL's PyTorch engine has no transposed convolution, so {@link #convTranspose} builds it from a 2x2
 * convolution whose output channels are the four output phases, interleaved with stack and reshape.
 */
public final class Dcgan {
    static final float BN_EPS = 1e-5f;
    static final float BN_MOMENTUM = 0.1f;
    static final float LEAKY_SLOPE = 0.2f;
    static final float LOG_FLOOR = 1e-30f;

    private Dcgan() {
    }

    /**
     * How BatchNorm behaves: TRAIN normalises by batch statistics and moves the running ones (PyTorch's
     * train()); EVAL uses the running ones (eval()); CALIBRATE normalises like TRAIN but adds each batch's
     * statistics to the running ones, which the caller zeroed, so that they end as exact averages.
     */
    public enum Mode { TRAIN, EVAL, CALIBRATE }

    /** G(z): latents [N, 100] (or [N, 100, 1, 1]) to images [N, 3, 64, 64] in [-1, 1]. */
    public static NDArray generate(Net g, NDArray z, Mode mode, NDManager step) {
        NDArray x = z.reshape(z.getShape().get(0), -1);
        x = firstConvTranspose(x, alias(g, "main.0.weight", step));          // [N, 512, 4, 4]
        x = relu(batchNorm(g, 1, x, mode, step));
        x = convTranspose(x, alias(g, "main.3.weight", step));               // [N, 256, 8, 8]
        x = relu(batchNorm(g, 4, x, mode, step));
        x = convTranspose(x, alias(g, "main.6.weight", step));               // [N, 128, 16, 16]
        x = relu(batchNorm(g, 7, x, mode, step));
        x = convTranspose(x, alias(g, "main.9.weight", step));               // [N, 64, 32, 32]
        x = relu(batchNorm(g, 10, x, mode, step));
        x = convTranspose(x, alias(g, "main.12.weight", step));              // [N, 3, 64, 64]
        return x.tanh();
    }

    /** D(x): images [N, 3, 64, 64] to the probability [N] that each is real. */
    public static NDArray discriminate(Net d, NDArray images, Mode mode, NDManager step) {
        NDArray x = conv(images, alias(d, "main.0.weight", step), 2, 1);     // [N, 64, 32, 32]
        x = leakyRelu(x);
        x = conv(x, alias(d, "main.2.weight", step), 2, 1);                  // [N, 128, 16, 16]
        x = leakyRelu(batchNorm(d, 3, x, mode, step));
        x = conv(x, alias(d, "main.5.weight", step), 2, 1);                  // [N, 256, 8, 8]
        x = leakyRelu(batchNorm(d, 6, x, mode, step));
        x = conv(x, alias(d, "main.8.weight", step), 2, 1);                  // [N, 512, 4, 4]
        x = leakyRelu(batchNorm(d, 9, x, mode, step));
        x = discriminatorHead(x, alias(d, "main.11.weight", step));          // [N, 1, 1, 1]
        return Activation.sigmoid(x).reshape(-1);                           // [N]
    }

    /**
     * Recomputes G's BatchNorm running statistics as exact averages over {@code batches} batches of random
     * latents, so eval-mode serving of a single face matches what the training-mode grid showed.
     */
    public static void recalibrate(Net g, int batches, int batchSize, long seed, NDManager parent) {
        g.startCalibration(batches);
        try {
            for (int b = 0; b < batches; b++) {
                try (NDManager step = parent.newSubManager()) {
                    NDArray z = step.create(dev.faces.core.Latents.of(dev.faces.core.Latents.derive(seed, b), batchSize),
                            new Shape(batchSize, dev.faces.core.Latents.DIM));
                    generate(g, z, Mode.CALIBRATE, step);
                }
            }
        } finally {
            g.endCalibration();
        }
    }

    // --- layers -----------------------------------------------------------------------------------

    /** ConvTranspose2d(k4, s1, p0) on a 1x1 input is a matrix product: [N, in] x [in, out*16]. */
    static NDArray firstConvTranspose(NDArray z, NDArray weight) {
        Shape w = weight.getShape(); // [in, out, 4, 4]
        return z.matMul(weight.reshape(w.get(0), -1)).reshape(z.getShape().get(0), w.get(1), w.get(2), w.get(3));
    }

    /**
     * ConvTranspose2d(k4, s2, p1, bias=False) with the PyTorch weight layout [in, out, 4, 4].
     * Output pixel (2m+a, 2n+b) sees input rows {m-1, m} (a=0, kernel rows 3, 1) or {m, m+1} (a=1, kernel
     * rows 2, 0), and likewise for columns: a stride-1 2x2 convolution over the input padded by one
     * computes all four phases at once, which are then interleaved.
     */
    static NDArray convTranspose(NDArray x, NDArray weight) {
        long n = x.getShape().get(0);
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        long out = weight.getShape().get(1);
        NDArray phases = conv(x, phaseKernel(weight), 1, 1);                 // [N, 4*out, H+1, W+1]
        NDList rows = new NDList(2);
        for (int a = 0; a < 2; a++) {
            NDList cols = new NDList(2);
            for (int b = 0; b < 2; b++) {
                long c0 = (a * 2L + b) * out;
                cols.add(phases.get("{}:{}, {}:{}, {}:{}, {}:{}", 0, n, c0, c0 + out, a, a + h, b, b + w));
            }
            rows.add(NDArrays.stack(cols, 4));                                // [N, out, H, W, 2]
        }
        return NDArrays.stack(rows, 3).reshape(n, out, 2 * h, 2 * w);          // [N, out, 2H, 2W]
    }

    private static final int[][] TAPS = {{3, 1}, {2, 0}};

    /** [in, out, 4, 4] -> [4*out, in, 2, 2]: phase (a, b)'s kernel is rows TAPS[a], columns TAPS[b]. */
    static NDArray phaseKernel(NDArray weight) {
        NDList phases = new NDList(4);
        for (int a = 0; a < 2; a++) {
            for (int b = 0; b < 2; b++) {
                NDList taps = new NDList(4);
                for (int u = 0; u < 2; u++) {
                    for (int v = 0; v < 2; v++) {
                        taps.add(weight.get(":, :, {}, {}", TAPS[a][u], TAPS[b][v]));   // [in, out]
                    }
                }
                NDArray k = NDArrays.stack(taps, 2).reshape(weight.getShape().get(0), weight.getShape().get(1), 2, 2);
                phases.add(k.transpose(1, 0, 2, 3));                                    // [out, in, 2, 2]
            }
        }
        return NDArrays.concat(phases, 0);
    }

    /**
     * D's last layer, Conv2d(512, 1, k4, s1, p0) on a 4x4 map: one dot product per image, computed as the
     * matrix product [N, 8192] x [8192, 1] (see {@link #conv} for why not as a convolution).
     */
    static NDArray discriminatorHead(NDArray x, NDArray weight) {
        long n = x.getShape().get(0);
        long out = weight.getShape().get(0);
        NDArray flat = weight.reshape(out, -1).transpose();                  // [C*16, out]
        return x.reshape(n, -1).matMul(flat).reshape(n, out, 1, 1);         // [N, out, 1, 1]
    }

    /**
     * Conv2d without bias. libtorch 2.7.1's oneDNN returns wrong, at times NaN, input gradients on AMD Zen 4 and
     * Zen 5 (AVX-512) for a convolution whose output channels do not fill its 16-channel blocks: the backward pass
     * reads the padding of its channel-padded memory (docs/TRAINER.md). So the kernel gets zero output channels
     * up to a multiple of 16, and the convolution's output is sliced back: the zero channels add nothing to any
     * gradient, and oneDNN never sees a partly filled block.
     */
    static NDArray conv(NDArray x, NDArray weight, int stride, int pad) {
        Shape k = weight.getShape();
        long out = k.get(0);
        long blocked = (out + CHANNEL_BLOCK - 1) / CHANNEL_BLOCK * CHANNEL_BLOCK;
        NDArray kernel = weight;
        if (blocked != out) {
            NDArray zeros = weight.getManager().zeros(new Shape(blocked - out, k.get(1), k.get(2), k.get(3)));
            kernel = NDArrays.concat(new NDList(weight, zeros), 0);
        }
        NDArray y = Conv2d.conv2d(x, kernel, null, new Shape(stride, stride), new Shape(pad, pad),
                new Shape(1, 1), 1).singletonOrThrow();
        return blocked == out ? y : y.get(":, 0:{}", out);
    }

    /** oneDNN's widest channel block (AVX-512: 16 floats); a multiple of 16 also fills AVX2's blocks of 8. */
    static final long CHANNEL_BLOCK = 16;

    /**
     * BatchNorm2d. Training: normalise by the batch's biased variance and move the running statistics
     * by momentum 0.1 towards the batch mean and unbiased variance, as PyTorch does. Eval: running statistics.
     */
    static NDArray batchNorm(Net net, int index, NDArray x, Mode mode, NDManager step) {
        String p = "main." + index + ".";
        long c = x.getShape().get(1);
        Shape perChannel = new Shape(1, c, 1, 1);
        NDArray normalised;
        if (mode != Mode.EVAL) {
            NDArray mean = channelMean(x);
            NDArray centred = x.sub(mean);
            NDArray var = channelMean(centred.square());
            normalised = centred.div(var.add(constant(step, BN_EPS)).sqrt());
            long count = x.getShape().get(0) * x.getShape().get(2) * x.getShape().get(3);
            double unbiased = count / (double) Math.max(1, count - 1);
            if (mode == Mode.TRAIN) {
                try (NDArray m = mean.stopGradient().reshape(c).mul(BN_MOMENTUM);
                     NDArray v = var.stopGradient().reshape(c).mul(BN_MOMENTUM * unbiased)) {
                    net.get(p + "running_mean").muli(1 - BN_MOMENTUM).addi(m);
                    net.get(p + "running_var").muli(1 - BN_MOMENTUM).addi(v);
                }
                net.countBatch(index);
            } else {
                try (NDArray m = mean.stopGradient().reshape(c).mul(net.calibrationWeight());
                     NDArray v = var.stopGradient().reshape(c).mul(net.calibrationWeight() * unbiased)) {
                    net.get(p + "running_mean").addi(m);
                    net.get(p + "running_var").addi(v);
                }
            }
        } else {
            NDArray mean = alias(net, p + "running_mean", step).reshape(perChannel);
            NDArray var = alias(net, p + "running_var", step).reshape(perChannel);
            normalised = x.sub(mean).div(var.add(constant(step, BN_EPS)).sqrt());
        }
        NDArray gamma = alias(net, p + "weight", step).reshape(perChannel);
        NDArray beta = alias(net, p + "bias", step).reshape(perChannel);
        return normalised.mul(gamma).add(beta);
    }

    /** Mean over N, H and W keeping dims; PyTorch's engine in DJL reduces one axis at a time. */
    private static NDArray channelMean(NDArray x) {
        return x.mean(new int[] {3}, true).mean(new int[] {2}, true).mean(new int[] {0}, true);
    }

    static NDArray relu(NDArray x) {
        return Activation.relu(x);
    }

    static NDArray leakyRelu(NDArray x) {
        return Activation.leakyRelu(x, LEAKY_SLOPE);
    }

    /**
     * A differentiable view of a parameter that lives in the step's manager (a reshape to the same shape is
     * a view with a grad_fn; duplicate() would copy outside the graph).
     */
    static NDArray alias(Net net, String name, NDManager step) {
        NDArray parameter = net.get(name);
        NDArray alias = parameter.reshape(parameter.getShape());
        alias.attach(step);
        return alias;
    }

    /**
     * PyTorch's BCELoss (mean), which clamps log at -100. The argument of each log is also kept above 1e-30:
     * a saturated D (p exactly 1 in float32) would otherwise send 0 * inf = NaN back through the clamp,
     * where PyTorch's fused kernel bounds its gradient instead. Unsaturated values are unchanged.
     *
     * <p>Every constant is an array of p's manager, never a Java scalar operand: DJL backs a scalar with
     * memory that it frees right after the forward op, while autograd reads it again in the backward pass of
     * mul and maximum, so a garbage collection in between would give wrong gradients.
     */
    public static NDArray bce(NDArray p, float label) {
        NDManager m = p.getManager();
        NDArray floor = constant(m, LOG_FLOOR);
        NDArray clamp = constant(m, -100f);
        NDArray logP = p.maximum(floor).log().maximum(clamp);
        NDArray log1mP = constant(m, 1f).sub(p).maximum(floor).log().maximum(clamp);
        return logP.mul(constant(m, label)).add(log1mP.mul(constant(m, 1f - label))).mean().neg();
    }

    /** A 0-d float array that lives as long as the manager: what autograd may read again in a backward pass. */
    static NDArray constant(NDManager manager, float value) {
        return manager.create(new float[] {value}, new Shape());
    }
}
