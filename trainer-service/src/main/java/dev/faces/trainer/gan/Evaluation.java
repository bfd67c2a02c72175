package dev.faces.trainer.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.faces.core.Latents;
import dev.faces.trainer.data.BatchFeeder;
import java.util.Arrays;

/** What an epoch's end measures and shows of a generator: eval-mode faces, and their SWD to held-back faces. */
public final class Evaluation {
    private static final int CHUNK = 64;

    private Evaluation() {
    }

    /** Eval-mode G on the given latents, in chunks, without autograd; pixels NCHW in [-1, 1]. */
    static float[] generate(Net net, float[] latents, int count, NDManager root) {
        return NoGrad.call(() -> {
            float[] out = new float[count * 3 * 64 * 64];
            for (int start = 0; start < count; start += CHUNK) {
                int n = Math.min(CHUNK, count - start);
                try (NDManager m = root.newSubManager()) {
                    float[] z = Arrays.copyOfRange(latents, start * Latents.DIM, (start + n) * Latents.DIM);
                    NDArray images = Dcgan.generate(net, m.create(z, new Shape(n, Latents.DIM)), Dcgan.Mode.EVAL, m);
                    System.arraycopy(images.toFloatArray(), 0, out, start * 3 * 64 * 64, n * 3 * 64 * 64);
                }
            }
            return out;
        });
    }

    /** SWD between as many generated images as are held back and the held-back images; NaN without them. */
    static double swd(Net net, BatchFeeder.Batch real, long runSeed, NDManager root) {
        if (real.count() < 2) {
            return Double.NaN;
        }
        long seed = Latents.derive(runSeed, 0x5D);
        float[] fake = generate(net, Latents.of(seed, real.count()), real.count(), root);
        return SlicedWasserstein.distance(fake, real.count(), real.normalised(), real.count(), seed,
                new LibtorchProjector(root));
    }

    /** The real-vs-real floor on two equal-sized real sets, with the seed {@link #swd} uses. */
    public static double swdFloor(BatchFeeder.Batch heldBack, BatchFeeder.Batch other, long runSeed) {
        int n = Math.min(heldBack.count(), other.count());
        if (n < 2) {
            return Double.NaN;
        }
        float[] a = Arrays.copyOf(heldBack.normalised(), n * 3 * 64 * 64);
        float[] b = Arrays.copyOf(other.normalised(), n * 3 * 64 * 64);
        try (NDManager m = NDManager.newBaseManager()) {
            return SlicedWasserstein.distance(b, n, a, n, Latents.derive(runSeed, 0x5D), new LibtorchProjector(m));
        }
    }
}
