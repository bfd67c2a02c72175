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
        x = conv(x, alias(d, "main.11.weight", step), 1, 0);                 // [N, 1, 1, 1]
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
        NDArray phases = Conv2d.conv2d(x, phaseKernel(weight), null, new Shape(1, 1), new Shape(1, 1),
                new Shape(1, 1), 1).singletonOrThrow();                             // [N, 4*out, H+1, W+1]
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

    static NDArray conv(NDArray x, NDArray weight, int stride, int pad) {
        return Conv2d.conv2d(x, weight, null, new Shape(stride, stride), new Shape(pad, pad),
                new Shape(1, 1), 1).singletonOrThrow();
    }

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
            normalised = centred.div(var.add(BN_EPS).sqrt());
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
            normalised = x.sub(mean).div(var.add(BN_EPS).sqrt());
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
     */
    public static NDArray bce(NDArray p, float label) {
        NDArray logP = p.maximum(LOG_FLOOR).log().maximum(-100f);
        NDArray log1mP = p.neg().add(1f).maximum(LOG_FLOOR).log().maximum(-100f);
        return logP.mul(label).add(log1mP.mul(1f - label)).mean().neg();
    }
}
