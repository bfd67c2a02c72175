package dev.faces.generator.model;

/**
 * Which forward pass this JVM runs: {@link VectorForward} when it was started with
 * {@code --add-modules jdk.incubator.vector} (./pipeline up, the images and the tests do), else the plain-Java
 * pass on {@link Gemm}, which is also what a native image runs. Both give the same faces up to float rounding.
 */
final class Kernels {
    static final boolean VECTOR = System.getProperty("org.graalvm.nativeimage.imagecode") == null
            && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !Boolean.getBoolean("faces.generator.scalar-gemm");

    private Kernels() {
    }

    static String describe() {
        return VECTOR ? "Vector API implicit GEMM, NHWC, " + PanelKernel.L + " floats per vector"
                : "plain-Java GEMM";
    }
}
