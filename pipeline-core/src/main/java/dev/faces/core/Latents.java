package dev.faces.core;

/**
 * Seeds to latent vectors, reproducibly in any language: SplitMix64 (java.util.SplittableRandom's documented
 * generator) seeded with the seed yields doubles {@code (next() >>> 11) * 2^-53}; each pair (u1, u2) becomes
 * two normals by Box-Muller, {@code sqrt(-2 ln(1 - u1)) * cos(2 pi u2)} then {@code ... sin(2 pi u2)}.
 * Vector {@code i} of a seed takes values {@code [i*100, (i+1)*100)} of that stream.
 */
public final class Latents {
    public static final int DIM = DcganLayers.NZ;
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private Latents() {
    }

    /** {@code count} latent vectors of {@link #DIM} normals from one seed, row after row. */
    public static float[] of(long seed, int count) {
        float[] out = new float[count * DIM];
        long state = seed;
        for (int i = 0; i < out.length; i += 2) {
            state += GOLDEN_GAMMA;
            double u1 = (mix64(state) >>> 11) * 0x1.0p-53;
            state += GOLDEN_GAMMA;
            double u2 = (mix64(state) >>> 11) * 0x1.0p-53;
            double r = Math.sqrt(-2 * Math.log(1 - u1));
            out[i] = (float) (r * Math.cos(2 * Math.PI * u2));
            if (i + 1 < out.length) {
                out[i + 1] = (float) (r * Math.sin(2 * Math.PI * u2));
            }
        }
        return out;
    }

    /** A seed for a stream derived from a base seed and counters (an epoch and a step, say). */
    public static long derive(long seed, long... counters) {
        long h = mix64(seed + GOLDEN_GAMMA);
        for (long c : counters) {
            h = mix64(h ^ mix64(c + GOLDEN_GAMMA));
        }
        return h;
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
