package dev.faces.core.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** One tensor of a safetensors file: dtype, shape and raw little-endian bytes. */
public record SafeTensor(DType dtype, long[] shape, byte[] data) {

    public enum DType {
        F32(4),
        I64(8);

        private final int size;

        DType(int size) {
            this.size = size;
        }

        public int size() {
            return size;
        }
    }

    public SafeTensor {
        shape = shape.clone();
        long expected = Math.multiplyExact(elementCount(shape), (long) dtype.size());
        if (expected != data.length) {
            throw new TensorFormatException("shape " + Arrays.toString(shape) + " of " + dtype + " needs " + expected
                    + " bytes, data has " + data.length);
        }
    }

    public static SafeTensor f32(float[] values, long... shape) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return new SafeTensor(DType.F32, shape, buf.array());
    }

    public static SafeTensor i64(long[] values, long... shape) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        buf.asLongBuffer().put(values);
        return new SafeTensor(DType.I64, shape, buf.array());
    }

    public float[] floats() {
        if (dtype != DType.F32) {
            throw new IllegalStateException("tensor is " + dtype + ", not F32");
        }
        float[] out = new float[data.length / 4];
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    public long[] longs() {
        if (dtype != DType.I64) {
            throw new IllegalStateException("tensor is " + dtype + ", not I64");
        }
        long[] out = new long[data.length / 8];
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
        return out;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new TensorFormatException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SafeTensor t && dtype == t.dtype && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "SafeTensor[" + dtype + " " + Arrays.toString(shape) + "]";
    }
}
