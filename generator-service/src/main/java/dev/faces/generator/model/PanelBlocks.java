package dev.faces.generator.model;

import static dev.faces.generator.model.PanelKernel.L;
import static dev.faces.generator.model.PanelKernel.NR;
import static dev.faces.generator.model.PanelKernel.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link PanelKernel}'s register blocks of 6 and 4 rows by one panel (4 vectors), written out row by row: the two
 * differ only in their row count. What JDK 17's C2 needs to keep the 24 (16) accumulators in registers, learnt
 * the hard way (each of these made the kernel 50 times slower, every vector boxed):
 * <ul>
 *   <li>one flat loop over the depth, the taps folded into {@code offsets}, never a loop around it;</li>
 *   <li>the epilogue inline, never a helper taking vectors as arguments;</li>
 *   <li>no {@code FloatVector.max} (ReLU is compare and blend) and no store into an array chosen at run time.</li>
 * </ul>
 * A narrow last panel (fewer output channels than a panel holds) goes through a row buffer and writes only its
 * columns: JDK 17's masked store reads and rewrites the whole vector, which races with the task that owns the
 * neighbouring pixel. No bias: zero is added and values are kept above minus infinity, i.e. the raw sums.
 */
final class PanelBlocks {
    private PanelBlocks() {
    }

    static void block6(float[] a, int[] aRow, int r, int[] offsets, float[] b, int bOff,
                       float[] c, int[] cRow, int cAdd, int width, float[] bias, int biasOff) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        FloatVector c40 = c00, c41 = c00, c42 = c00, c43 = c00;
        FloatVector c50 = c00, c51 = c00, c52 = c00, c53 = c00;
        int a0 = aRow[r];
        int a1 = aRow[r + 1];
        int a2 = aRow[r + 2];
        int a3 = aRow[r + 3];
        int a4 = aRow[r + 4];
        int a5 = aRow[r + 5];
        for (int p = 0, bo = bOff; p < offsets.length; p++, bo += NR) {
            int k = offsets[p];
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bo + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, b, bo + 3 * L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + k]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, a[a1 + k]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(S, a[a2 + k]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(S, a[a3 + k]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            c33 = x.fma(b3, c33);
            x = FloatVector.broadcast(S, a[a4 + k]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            c42 = x.fma(b2, c42);
            c43 = x.fma(b3, c43);
            x = FloatVector.broadcast(S, a[a5 + k]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            c52 = x.fma(b2, c52);
            c53 = x.fma(b3, c53);
        }
        FloatVector e0 = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, biasOff);
        FloatVector e1 = bias == null ? e0 : FloatVector.fromArray(S, bias, biasOff + L);
        FloatVector e2 = bias == null ? e0 : FloatVector.fromArray(S, bias, biasOff + 2 * L);
        FloatVector e3 = bias == null ? e0 : FloatVector.fromArray(S, bias, biasOff + 3 * L);
        FloatVector lo = FloatVector.broadcast(S, bias == null ? Float.NEGATIVE_INFINITY : 0f);
        c00 = c00.add(e0);
        c00 = c00.blend(lo, c00.compare(VectorOperators.LT, lo));
        c01 = c01.add(e1);
        c01 = c01.blend(lo, c01.compare(VectorOperators.LT, lo));
        c02 = c02.add(e2);
        c02 = c02.blend(lo, c02.compare(VectorOperators.LT, lo));
        c03 = c03.add(e3);
        c03 = c03.blend(lo, c03.compare(VectorOperators.LT, lo));
        c10 = c10.add(e0);
        c10 = c10.blend(lo, c10.compare(VectorOperators.LT, lo));
        c11 = c11.add(e1);
        c11 = c11.blend(lo, c11.compare(VectorOperators.LT, lo));
        c12 = c12.add(e2);
        c12 = c12.blend(lo, c12.compare(VectorOperators.LT, lo));
        c13 = c13.add(e3);
        c13 = c13.blend(lo, c13.compare(VectorOperators.LT, lo));
        c20 = c20.add(e0);
        c20 = c20.blend(lo, c20.compare(VectorOperators.LT, lo));
        c21 = c21.add(e1);
        c21 = c21.blend(lo, c21.compare(VectorOperators.LT, lo));
        c22 = c22.add(e2);
        c22 = c22.blend(lo, c22.compare(VectorOperators.LT, lo));
        c23 = c23.add(e3);
        c23 = c23.blend(lo, c23.compare(VectorOperators.LT, lo));
        c30 = c30.add(e0);
        c30 = c30.blend(lo, c30.compare(VectorOperators.LT, lo));
        c31 = c31.add(e1);
        c31 = c31.blend(lo, c31.compare(VectorOperators.LT, lo));
        c32 = c32.add(e2);
        c32 = c32.blend(lo, c32.compare(VectorOperators.LT, lo));
        c33 = c33.add(e3);
        c33 = c33.blend(lo, c33.compare(VectorOperators.LT, lo));
        c40 = c40.add(e0);
        c40 = c40.blend(lo, c40.compare(VectorOperators.LT, lo));
        c41 = c41.add(e1);
        c41 = c41.blend(lo, c41.compare(VectorOperators.LT, lo));
        c42 = c42.add(e2);
        c42 = c42.blend(lo, c42.compare(VectorOperators.LT, lo));
        c43 = c43.add(e3);
        c43 = c43.blend(lo, c43.compare(VectorOperators.LT, lo));
        c50 = c50.add(e0);
        c50 = c50.blend(lo, c50.compare(VectorOperators.LT, lo));
        c51 = c51.add(e1);
        c51 = c51.blend(lo, c51.compare(VectorOperators.LT, lo));
        c52 = c52.add(e2);
        c52 = c52.blend(lo, c52.compare(VectorOperators.LT, lo));
        c53 = c53.add(e3);
        c53 = c53.blend(lo, c53.compare(VectorOperators.LT, lo));
        if (width == NR) {
            int o0 = cRow[r] + cAdd;
            c00.intoArray(c, o0);
            c01.intoArray(c, o0 + L);
            c02.intoArray(c, o0 + 2 * L);
            c03.intoArray(c, o0 + 3 * L);
            int o1 = cRow[r + 1] + cAdd;
            c10.intoArray(c, o1);
            c11.intoArray(c, o1 + L);
            c12.intoArray(c, o1 + 2 * L);
            c13.intoArray(c, o1 + 3 * L);
            int o2 = cRow[r + 2] + cAdd;
            c20.intoArray(c, o2);
            c21.intoArray(c, o2 + L);
            c22.intoArray(c, o2 + 2 * L);
            c23.intoArray(c, o2 + 3 * L);
            int o3 = cRow[r + 3] + cAdd;
            c30.intoArray(c, o3);
            c31.intoArray(c, o3 + L);
            c32.intoArray(c, o3 + 2 * L);
            c33.intoArray(c, o3 + 3 * L);
            int o4 = cRow[r + 4] + cAdd;
            c40.intoArray(c, o4);
            c41.intoArray(c, o4 + L);
            c42.intoArray(c, o4 + 2 * L);
            c43.intoArray(c, o4 + 3 * L);
            int o5 = cRow[r + 5] + cAdd;
            c50.intoArray(c, o5);
            c51.intoArray(c, o5 + L);
            c52.intoArray(c, o5 + 2 * L);
            c53.intoArray(c, o5 + 3 * L);
            return;
        }
        float[] row = new float[NR];
        c00.intoArray(row, 0);
        c01.intoArray(row, L);
        c02.intoArray(row, 2 * L);
        c03.intoArray(row, 3 * L);
        System.arraycopy(row, 0, c, cRow[r] + cAdd, width);
        c10.intoArray(row, 0);
        c11.intoArray(row, L);
        c12.intoArray(row, 2 * L);
        c13.intoArray(row, 3 * L);
        System.arraycopy(row, 0, c, cRow[r + 1] + cAdd, width);
        c20.intoArray(row, 0);
        c21.intoArray(row, L);
        c22.intoArray(row, 2 * L);
        c23.intoArray(row, 3 * L);
        System.arraycopy(row, 0, c, cRow[r + 2] + cAdd, width);
        c30.intoArray(row, 0);
        c31.intoArray(row, L);
        c32.intoArray(row, 2 * L);
        c33.intoArray(row, 3 * L);
        System.arraycopy(row, 0, c, cRow[r + 3] + cAdd, width);
        c40.intoArray(row, 0);
        c41.intoArray(row, L);
        c42.intoArray(row, 2 * L);
        c43.intoArray(row, 3 * L);
        System.arraycopy(row, 0, c, cRow[r + 4] + cAdd, width);
        c50.intoArray(row, 0);
        c51.intoArray(row, L);
        c52.intoArray(row, 2 * L);
        c53.intoArray(row, 3 * L);
        System.arraycopy(row, 0, c, cRow[r + 5] + cAdd, width);
    }

    static void block4(float[] a, int[] aRow, int r, int[] offsets, float[] b, int bOff,
                       float[] c, int[] cRow, int cAdd, int width, float[] bias, int biasOff) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        int a0 = aRow[r];
        int a1 = aRow[r + 1];
        int a2 = aRow[r + 2];
        int a3 = aRow[r + 3];
        for (int p = 0, bo = bOff; p < offsets.length; p++, bo += NR) {
            int k = offsets[p];
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bo + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, b, bo + 3 * L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + k]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, a[a1 + k]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(S, a[a2 + k]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(S, a[a3 + k]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            c33 = x.fma(b3, c33);
        }
        FloatVector e0 = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, biasOff);
        FloatVector e1 = bias == null ? e0 : FloatVector.fromArray(S, bias, biasOff + L);
        FloatVector e2 = bias == null ? e0 : FloatVector.fromArray(S, bias, biasOff + 2 * L);
        FloatVector e3 = bias == null ? e0 : FloatVector.fromArray(S, bias, biasOff + 3 * L);
        FloatVector lo = FloatVector.broadcast(S, bias == null ? Float.NEGATIVE_INFINITY : 0f);
        c00 = c00.add(e0);
        c00 = c00.blend(lo, c00.compare(VectorOperators.LT, lo));
        c01 = c01.add(e1);
        c01 = c01.blend(lo, c01.compare(VectorOperators.LT, lo));
        c02 = c02.add(e2);
        c02 = c02.blend(lo, c02.compare(VectorOperators.LT, lo));
        c03 = c03.add(e3);
        c03 = c03.blend(lo, c03.compare(VectorOperators.LT, lo));
        c10 = c10.add(e0);
        c10 = c10.blend(lo, c10.compare(VectorOperators.LT, lo));
        c11 = c11.add(e1);
        c11 = c11.blend(lo, c11.compare(VectorOperators.LT, lo));
        c12 = c12.add(e2);
        c12 = c12.blend(lo, c12.compare(VectorOperators.LT, lo));
        c13 = c13.add(e3);
        c13 = c13.blend(lo, c13.compare(VectorOperators.LT, lo));
        c20 = c20.add(e0);
        c20 = c20.blend(lo, c20.compare(VectorOperators.LT, lo));
        c21 = c21.add(e1);
        c21 = c21.blend(lo, c21.compare(VectorOperators.LT, lo));
        c22 = c22.add(e2);
        c22 = c22.blend(lo, c22.compare(VectorOperators.LT, lo));
        c23 = c23.add(e3);
        c23 = c23.blend(lo, c23.compare(VectorOperators.LT, lo));
        c30 = c30.add(e0);
        c30 = c30.blend(lo, c30.compare(VectorOperators.LT, lo));
        c31 = c31.add(e1);
        c31 = c31.blend(lo, c31.compare(VectorOperators.LT, lo));
        c32 = c32.add(e2);
        c32 = c32.blend(lo, c32.compare(VectorOperators.LT, lo));
        c33 = c33.add(e3);
        c33 = c33.blend(lo, c33.compare(VectorOperators.LT, lo));
        if (width == NR) {
            int o0 = cRow[r] + cAdd;
            c00.intoArray(c, o0);
            c01.intoArray(c, o0 + L);
            c02.intoArray(c, o0 + 2 * L);
            c03.intoArray(c, o0 + 3 * L);
            int o1 = cRow[r + 1] + cAdd;
            c10.intoArray(c, o1);
            c11.intoArray(c, o1 + L);
            c12.intoArray(c, o1 + 2 * L);
            c13.intoArray(c, o1 + 3 * L);
            int o2 = cRow[r + 2] + cAdd;
            c20.intoArray(c, o2);
            c21.intoArray(c, o2 + L);
            c22.intoArray(c, o2 + 2 * L);
            c23.intoArray(c, o2 + 3 * L);
            int o3 = cRow[r + 3] + cAdd;
            c30.intoArray(c, o3);
            c31.intoArray(c, o3 + L);
            c32.intoArray(c, o3 + 2 * L);
            c33.intoArray(c, o3 + 3 * L);
            return;
        }
        float[] row = new float[NR];
        c00.intoArray(row, 0);
        c01.intoArray(row, L);
        c02.intoArray(row, 2 * L);
        c03.intoArray(row, 3 * L);
        System.arraycopy(row, 0, c, cRow[r] + cAdd, width);
        c10.intoArray(row, 0);
        c11.intoArray(row, L);
        c12.intoArray(row, 2 * L);
        c13.intoArray(row, 3 * L);
        System.arraycopy(row, 0, c, cRow[r + 1] + cAdd, width);
        c20.intoArray(row, 0);
        c21.intoArray(row, L);
        c22.intoArray(row, 2 * L);
        c23.intoArray(row, 3 * L);
        System.arraycopy(row, 0, c, cRow[r + 2] + cAdd, width);
        c30.intoArray(row, 0);
        c31.intoArray(row, L);
        c32.intoArray(row, 2 * L);
        c33.intoArray(row, 3 * L);
        System.arraycopy(row, 0, c, cRow[r + 3] + cAdd, width);
    }
}
