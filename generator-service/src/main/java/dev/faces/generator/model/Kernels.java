package dev.faces.generator.model;

import java.util.concurrent.ForkJoinPool;

/**
 * Picks the matrix product: {@link VectorGemm} when the JVM was started with
 * {@code --add-modules jdk.incubator.vector} (./pipeline up and the tests do), else the plain-Java {@link Gemm},
 * which is also what a native image runs. Both give the same sums up to float rounding.
 */
final class Kernels {
    static final boolean VECTOR = System.getProperty("org.graalvm.nativeimage.imagecode") == null
            && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !Boolean.getBoolean("faces.generator.scalar-gemm");

    private Kernels() {
    }

    static void multiply(float[] a, float[] b, float[] c, int m, int n, int k, ForkJoinPool pool) {
        if (VECTOR) {
            VectorGemm.multiply(a, b, c, m, n, k, pool);
        } else {
            Gemm.multiply(a, b, c, m, n, k, pool);
        }
    }

    static String describe() {
        return VECTOR ? "Vector API GEMM" : "plain-Java GEMM";
    }
}
