package dev.faces.core;

import dev.faces.core.tensor.SafeTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The PyTorch DCGAN tutorial's networks as layer tables: the single source for state_dict names and shapes.
 * Indices are positions in the tutorial's {@code nn.Sequential} named {@code main}, so tensor names
 * ({@code main.1.running_mean}) match {@code Generator().state_dict()} exactly.
 */
public final class DcganLayers {
    public static final int NZ = 100;
    public static final int NGF = 64;
    public static final int NDF = 64;
    public static final int NC = 3;
    public static final int IMAGE_SIZE = 64;

    public enum Kind { CONV_TRANSPOSE, CONV, BATCH_NORM, RELU, LEAKY_RELU, TANH, SIGMOID }

    /** One module of {@code main}; convolutions are bias-free, kernel 4. */
    public record Layer(int index, Kind kind, int in, int out, int stride, int padding) {
        public static final int KERNEL = 4;

        static Layer convT(int index, int in, int out, int stride, int padding) {
            return new Layer(index, Kind.CONV_TRANSPOSE, in, out, stride, padding);
        }

        static Layer conv(int index, int in, int out, int stride, int padding) {
            return new Layer(index, Kind.CONV, in, out, stride, padding);
        }

        static Layer bn(int index, int channels) {
            return new Layer(index, Kind.BATCH_NORM, channels, channels, 0, 0);
        }

        static Layer act(int index, Kind kind) {
            return new Layer(index, kind, 0, 0, 0, 0);
        }

        public String prefix() {
            return "main." + index + ".";
        }
    }

    /** A state_dict entry. Trainable entries are parameters; the rest are BN buffers. */
    public record TensorSpec(String name, long[] shape, SafeTensor.DType dtype, boolean trainable) {
        public long elementCount() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    public static final List<Layer> GENERATOR = generator(NGF);
    public static final List<Layer> DISCRIMINATOR = discriminator(NDF);

    /** The tutorial's generator with feature width {@code ngf} (64 in the tutorial; tests use less). */
    public static List<Layer> generator(int ngf) {
        return List.of(
                Layer.convT(0, NZ, ngf * 8, 1, 0),      // z [N, 100, 1, 1] -> [N, 512, 4, 4]
                Layer.bn(1, ngf * 8),
                Layer.act(2, Kind.RELU),
                Layer.convT(3, ngf * 8, ngf * 4, 2, 1), // -> [N, 256, 8, 8]
                Layer.bn(4, ngf * 4),
                Layer.act(5, Kind.RELU),
                Layer.convT(6, ngf * 4, ngf * 2, 2, 1), // -> [N, 128, 16, 16]
                Layer.bn(7, ngf * 2),
                Layer.act(8, Kind.RELU),
                Layer.convT(9, ngf * 2, ngf, 2, 1),     // -> [N, 64, 32, 32]
                Layer.bn(10, ngf),
                Layer.act(11, Kind.RELU),
                Layer.convT(12, ngf, NC, 2, 1),         // -> [N, 3, 64, 64]
                Layer.act(13, Kind.TANH));              // pixels in [-1, 1]
    }

    /** The tutorial's discriminator with feature width {@code ndf}. */
    public static List<Layer> discriminator(int ndf) {
        return List.of(
                Layer.conv(0, NC, ndf, 2, 1),           // x [N, 3, 64, 64] -> [N, 64, 32, 32]
                Layer.act(1, Kind.LEAKY_RELU),
                Layer.conv(2, ndf, ndf * 2, 2, 1),      // -> [N, 128, 16, 16]
                Layer.bn(3, ndf * 2),
                Layer.act(4, Kind.LEAKY_RELU),
                Layer.conv(5, ndf * 2, ndf * 4, 2, 1),  // -> [N, 256, 8, 8]
                Layer.bn(6, ndf * 4),
                Layer.act(7, Kind.LEAKY_RELU),
                Layer.conv(8, ndf * 4, ndf * 8, 2, 1),  // -> [N, 512, 4, 4]
                Layer.bn(9, ndf * 8),
                Layer.act(10, Kind.LEAKY_RELU),
                Layer.conv(11, ndf * 8, 1, 1, 0),       // -> [N, 1, 1, 1]
                Layer.act(12, Kind.SIGMOID));           // probability that x is real
    }

    private DcganLayers() {
    }

    /** The state_dict entries in PyTorch's order. Weights keep PyTorch's layout: ConvTranspose [in, out, k, k]. */
    public static List<TensorSpec> stateDict(List<Layer> layers) {
        List<TensorSpec> specs = new ArrayList<>();
        int k = Layer.KERNEL;
        for (Layer l : layers) {
            switch (l.kind()) {
                case CONV_TRANSPOSE -> specs.add(f32(l.prefix() + "weight", true, l.in(), l.out(), k, k));
                case CONV -> specs.add(f32(l.prefix() + "weight", true, l.out(), l.in(), k, k));
                case BATCH_NORM -> {
                    specs.add(f32(l.prefix() + "weight", true, l.out()));
                    specs.add(f32(l.prefix() + "bias", true, l.out()));
                    specs.add(f32(l.prefix() + "running_mean", false, l.out()));
                    specs.add(f32(l.prefix() + "running_var", false, l.out()));
                    specs.add(new TensorSpec(l.prefix() + "num_batches_tracked", new long[0], SafeTensor.DType.I64, false));
                }
                default -> {
                }
            }
        }
        return List.copyOf(specs);
    }

    /** Trainable parameters, as {@code sum(p.numel() for p in net.parameters())} counts them. */
    public static long parameterCount(List<Layer> layers) {
        return stateDict(layers).stream().filter(TensorSpec::trainable).mapToLong(TensorSpec::elementCount).sum();
    }

    private static TensorSpec f32(String name, boolean trainable, long... shape) {
        return new TensorSpec(name, shape, SafeTensor.DType.F32, trainable);
    }
}
