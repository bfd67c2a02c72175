package dev.faces.trainer.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The SWD's projections as libtorch matrix products on the training device: a block of 64 directions times
 * the 65,536 descriptors of a set is one GEMM, where plain Java does the same arithmetic as dot products.
 * The values agree with {@link SlicedWasserstein#JAVA} to float rounding (SlicedWassersteinTest).
 */
public final class LibtorchProjector implements SlicedWasserstein.Projector {
    private final NDManager parent;

    public LibtorchProjector(NDManager parent) {
        this.parent = parent;
    }

    @Override
    public SlicedWasserstein.Projected prepare(float[] descriptors, int rows, int dim) {
        NDManager manager = parent.newSubManager();
        NDArray transposed = manager.create(descriptors, new Shape(rows, dim)).transpose(); // dim x rows
        return new SlicedWasserstein.Projected() {
            @Override
            public float[] onto(float[] directions, int count) {
                try (NDManager block = manager.newSubManager()) {
                    return block.create(directions, new Shape(count, dim)).matMul(transposed).toFloatArray();
                }
            }

            @Override
            public void close() {
                manager.close();
            }
        };
    }
}
