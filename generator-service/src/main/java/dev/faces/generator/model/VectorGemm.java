package dev.faces.generator.model;

import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * C = A * B (row-major, C overwritten) with the JDK's Vector API: a register-blocked micro-kernel keeps a 6 x 2-vector
 * block of C in registers for the whole depth, so each loaded B vector feeds six fused multiply-adds and C is
 * written once. About twice {@link Gemm}'s speed here. Only used when the JVM runs with
 * {@code --add-modules jdk.incubator.vector} (see {@link Kernels}).
 */
final class VectorGemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int MR = 6;
    private static final int NR = 2 * L;
    private static final int COLS = 512;
    /** Rows of A per tile: about 256 KB of A stays in L2 while the tile's columns go by. */
    private static final int A_TILE_FLOATS = 64 * 1024;

    private VectorGemm() {
    }

    static void multiply(float[] a, float[] b, float[] c, int m, int n, int k, ForkJoinPool pool) {
        int rowsPerTile = Math.max(MR, A_TILE_FLOATS / Math.max(1, k) / MR * MR);
        int rowBlocks = (m + rowsPerTile - 1) / rowsPerTile;
        int colBlocks = (n + COLS - 1) / COLS;
        int tiles = rowBlocks * colBlocks;
        if (pool == null || pool.getParallelism() == 1 || tiles == 1) {
            for (int t = 0; t < tiles; t++) {
                tile(a, b, c, m, n, k, t / colBlocks, t % colBlocks, rowsPerTile);
            }
            return;
        }
        pool.submit(() -> IntStream.range(0, tiles).parallel()
                .forEach(t -> tile(a, b, c, m, n, k, t / colBlocks, t % colBlocks, rowsPerTile))).join();
    }

    private static void tile(float[] a, float[] b, float[] c, int m, int n, int k, int rowBlock, int colBlock,
                             int rowsPerTile) {
        int i0 = rowBlock * rowsPerTile;
        int i1 = Math.min(m, i0 + rowsPerTile);
        int j0 = colBlock * COLS;
        int j1 = Math.min(n, j0 + COLS);
        int j = j0;
        for (; j + NR <= j1; j += NR) {
            int i = i0;
            for (; i + MR <= i1; i += MR) {
                kernel6(a, b, c, n, k, i, j);
            }
            if (i + 4 <= i1) { // few rows (one face) end here: B is read once per four rows, not per row
                kernel4(a, b, c, n, k, i, j);
                i += 4;
            }
            for (; i < i1; i++) {
                kernel1(a, b, c, n, k, i, j);
            }
        }
        for (int i = i0; i < i1; i++) { // the last columns, fewer than two vectors: scalar
            for (int jj = j; jj < j1; jj++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    s += a[i * k + p] * b[p * n + jj];
                }
                c[i * n + jj] = s;
            }
        }
    }

    private static void kernel6(float[] a, float[] b, float[] c, int n, int k, int i, int j) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c51 = FloatVector.zero(S);
        int a0 = i * k;
        int a1 = a0 + k;
        int a2 = a1 + k;
        int a3 = a2 + k;
        int a4 = a3 + k;
        int a5 = a4 + k;
        for (int p = 0, bo = j; p < k; p++, bo += n) {
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + p]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[a4 + p]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[a5 + p]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        int o = i * n + j;
        c00.intoArray(c, o);
        c01.intoArray(c, o + L);
        o += n;
        c10.intoArray(c, o);
        c11.intoArray(c, o + L);
        o += n;
        c20.intoArray(c, o);
        c21.intoArray(c, o + L);
        o += n;
        c30.intoArray(c, o);
        c31.intoArray(c, o + L);
        o += n;
        c40.intoArray(c, o);
        c41.intoArray(c, o + L);
        o += n;
        c50.intoArray(c, o);
        c51.intoArray(c, o + L);
    }

    private static void kernel4(float[] a, float[] b, float[] c, int n, int k, int i, int j) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        int a0 = i * k;
        int a1 = a0 + k;
        int a2 = a1 + k;
        int a3 = a2 + k;
        for (int p = 0, bo = j; p < k; p++, bo += n) {
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + p]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        int o = i * n + j;
        c00.intoArray(c, o);
        c01.intoArray(c, o + L);
        o += n;
        c10.intoArray(c, o);
        c11.intoArray(c, o + L);
        o += n;
        c20.intoArray(c, o);
        c21.intoArray(c, o + L);
        o += n;
        c30.intoArray(c, o);
        c31.intoArray(c, o + L);
    }

    private static void kernel1(float[] a, float[] b, float[] c, int n, int k, int i, int j) {
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = FloatVector.zero(S);
        int a0 = i * k;
        for (int p = 0, bo = j; p < k; p++, bo += n) {
            FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
            c0 = x.fma(FloatVector.fromArray(S, b, bo), c0);
            c1 = x.fma(FloatVector.fromArray(S, b, bo + L), c1);
        }
        c0.intoArray(c, i * n + j);
        c1.intoArray(c, i * n + j + L);
    }
}
