package dev.faces.core.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** A C-order array as an .npy file holds it: dtype, shape and the raw little-endian bytes. */
public record NpyArray(DType dtype, int[] shape, byte[] data) {

    public enum DType {
        UINT8("|u1", 1),
        FLOAT32("<f4", 4);

        private final String descr;
        private final int size;

        DType(String descr, int size) {
            this.descr = descr;
            this.size = size;
        }

        public String descr() {
            return descr;
        }

        public int size() {
            return size;
        }
    }

    public NpyArray {
        shape = shape.clone();
        long expected = elementCount(shape) * dtype.size();
        if (expected != data.length) {
            throw new TensorFormatException("shape " + Arrays.toString(shape) + " of " + dtype + " needs " + expected
                    + " bytes, data has " + data.length);
        }
    }

    public static NpyArray uint8(byte[] data, int... shape) {
        return new NpyArray(DType.UINT8, shape, data);
    }

    public static NpyArray float32(float[] values, int... shape) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return new NpyArray(DType.FLOAT32, shape, buf.array());
    }

    public float[] floats() {
        if (dtype != DType.FLOAT32) {
            throw new IllegalStateException("array is " + dtype + ", not FLOAT32");
        }
        float[] out = new float[data.length / 4];
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public long elementCount() {
        return elementCount(shape);
    }

    static long elementCount(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new TensorFormatException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, (long) d);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyArray other && dtype == other.dtype && Arrays.equals(shape, other.shape)
                && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "NpyArray[" + dtype + " " + Arrays.toString(shape) + "]";
    }
}
