package dev.faces.generator.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The product of the Vector API forward pass: a block of 6 rows by one packed panel of 4 vectors (64 columns
 * with AVX-512) of C stays in 24 registers for the whole depth ({@link PanelBlocks}), so each loaded B vector
 * feeds six fused multiply-adds and C is written once, with bias and ReLU applied on the way out. B is packed (see
 * {@link PackedLayers}) so that the depth walks one contiguous stream instead of striding a row-major matrix.
 *
 * <p>Row r's K values are {@code a[aRow[r] + offsets[p]]}. For a stride-2 transposed convolution in NHWC with a
 * zero border, the four taps of an output phase are the four input pixels that reach it, so the product reads the
 * activations in place (an implicit GEMM) and its output lands in the next layer's input: no im2col, no col2im.
 */
final class PanelKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Columns in a packed panel of B. */
    static final int NR = 4 * L;
    static final int MR = 6;

    private PanelKernel() {
    }

    /**
     * C rows [r0, r1) for one panel: {@code c[cRow[r] + cAdd + j] = act(sum + bias[biasOff + j])} for
     * j below {@code width} (at most NR), where the sum runs over p of {@code a[aRow[r] + offsets[p]]} times
     * B's row p. {@code bias} null: the raw sums, no activation.
     */
    static void rows(float[] a, int[] aRow, int r0, int r1, int[] offsets, float[] b, int bOff,
                     float[] c, int[] cRow, int cAdd, int width, float[] bias, int biasOff) {
        int r = r0;
        for (; r + MR <= r1; r += MR) {
            PanelBlocks.block6(a, aRow, r, offsets, b, bOff, c, cRow, cAdd, width, bias, biasOff);
        }
        if (r + 4 <= r1) { // the rows of one face's layers end in 4 more: one pass over B instead of four
            PanelBlocks.block4(a, aRow, r, offsets, b, bOff, c, cRow, cAdd, width, bias, biasOff);
            r += 4;
        }
        for (; r < r1; r++) {
            block1(a, aRow[r], offsets, b, bOff, c, cRow[r] + cAdd, width, bias, biasOff);
        }
    }

    private static void block1(float[] a, int aRow, int[] offsets, float[] b, int bOff,
                               float[] c, int cOff, int width, float[] bias, int biasOff) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
        int bo = bOff;
        for (int p = 0; p < offsets.length; p++, bo += NR) {
            FloatVector x = FloatVector.broadcast(S, a[aRow + offsets[p]]);
            c0 = x.fma(FloatVector.fromArray(S, b, bo), c0);
            c1 = x.fma(FloatVector.fromArray(S, b, bo + L), c1);
            c2 = x.fma(FloatVector.fromArray(S, b, bo + 2 * L), c2);
            c3 = x.fma(FloatVector.fromArray(S, b, bo + 3 * L), c3);
        }
        FloatVector e0 = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, biasOff);
        FloatVector e1 = bias == null ? e0 : FloatVector.fromArray(S, bias, biasOff + L);
        FloatVector e2 = bias == null ? e0 : FloatVector.fromArray(S, bias, biasOff + 2 * L);
        FloatVector e3 = bias == null ? e0 : FloatVector.fromArray(S, bias, biasOff + 3 * L);
        FloatVector lo = FloatVector.broadcast(S, bias == null ? Float.NEGATIVE_INFINITY : 0f);
        c0 = c0.add(e0);
        c0 = c0.blend(lo, c0.compare(VectorOperators.LT, lo));
        c1 = c1.add(e1);
        c1 = c1.blend(lo, c1.compare(VectorOperators.LT, lo));
        c2 = c2.add(e2);
        c2 = c2.blend(lo, c2.compare(VectorOperators.LT, lo));
        c3 = c3.add(e3);
        c3 = c3.blend(lo, c3.compare(VectorOperators.LT, lo));
        if (width == NR) {
            c0.intoArray(c, cOff);
            c1.intoArray(c, cOff + L);
            c2.intoArray(c, cOff + 2 * L);
            c3.intoArray(c, cOff + 3 * L);
            return;
        }
        float[] row = new float[NR];
        c0.intoArray(row, 0);
        c1.intoArray(row, L);
        c2.intoArray(row, 2 * L);
        c3.intoArray(row, 3 * L);
        System.arraycopy(row, 0, c, cOff, width);
    }
}
