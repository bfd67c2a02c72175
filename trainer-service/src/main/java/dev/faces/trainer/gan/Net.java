package dev.faces.trainer.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.faces.core.DcganLayers;
import dev.faces.core.DcganLayers.Layer;
import dev.faces.core.DcganLayers.TensorSpec;
import dev.faces.core.tensor.SafeTensor;
import dev.faces.core.tensor.SafeTensors;
import dev.faces.core.tensor.TensorFormatException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One network's state_dict as NDArrays in PyTorch's layout and names, owned by one long-lived manager.
 * BN's num_batches_tracked is kept as a Java long: it is a counter, not a tensor anyone computes with.
 */
public final class Net implements AutoCloseable {
    private final List<Layer> layers;
    private final NDManager manager;
    private final Map<String, NDArray> tensors = new LinkedHashMap<>();
    private final Map<String, Long> batchesTracked = new LinkedHashMap<>();
    private final List<NDArray> parameters = new ArrayList<>();
    private final List<String> parameterNames = new ArrayList<>();
    private boolean trainable = true;

    private Net(NDManager parent, List<Layer> layers) {
        this.layers = layers;
        this.manager = parent.newSubManager();
    }

    /** The tutorial's weights_init: conv weights N(0, 0.02), BN weight N(1, 0.02), BN bias 0. */
    public static Net initialise(NDManager parent, List<Layer> layers, Random random) {
        Net net = new Net(parent, layers);
        for (TensorSpec spec : DcganLayers.stateDict(layers)) {
            if (spec.dtype() == SafeTensor.DType.I64) {
                net.batchesTracked.put(spec.name(), 0L);
                continue;
            }
            float[] values = new float[(int) spec.elementCount()];
            String field = spec.name().substring(spec.name().lastIndexOf('.') + 1);
            boolean bnWeight = field.equals("weight") && spec.shape().length == 1;
            switch (field) {
                case "weight" -> {
                    for (int i = 0; i < values.length; i++) {
                        values[i] = (float) ((bnWeight ? 1.0 : 0.0) + 0.02 * random.nextGaussian());
                    }
                }
                case "running_var" -> Arrays.fill(values, 1f);
                default -> {
                    // bias and running_mean start at zero
                }
            }
            net.put(spec, values);
        }
        return net;
    }

    /** Loads a state_dict; every tensor of the layer table must be there with its exact shape. */
    public static Net load(NDManager parent, List<Layer> layers, SafeTensors.Contents state) {
        return load(parent, layers, state, true);
    }

    /** As {@link #load}, for a net that no optimiser trains (no gradients are kept): the generator's average. */
    static Net loadFrozen(NDManager parent, List<Layer> layers, SafeTensors.Contents state) {
        return load(parent, layers, state, false);
    }

    private static Net load(NDManager parent, List<Layer> layers, SafeTensors.Contents state, boolean trainable) {
        Net net = new Net(parent, layers);
        net.trainable = trainable;
        try {
            for (TensorSpec spec : DcganLayers.stateDict(layers)) {
                SafeTensor t = state.require(spec.name());
                if (!Arrays.equals(t.shape(), spec.shape()) || t.dtype() != spec.dtype()) {
                    throw new TensorFormatException("tensor '" + spec.name() + "' is " + t.dtype() + " "
                            + Arrays.toString(t.shape()) + ", expected " + spec.dtype() + " " + Arrays.toString(spec.shape()));
                }
                if (spec.dtype() == SafeTensor.DType.I64) {
                    net.batchesTracked.put(spec.name(), t.longs()[0]);
                } else {
                    net.put(spec, t.floats());
                }
            }
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }

    private void put(TensorSpec spec, float[] values) {
        NDArray array = manager.create(values, new Shape(spec.shape()));
        tensors.put(spec.name(), array);
        if (spec.trainable()) {
            if (trainable) {
                array.setRequiresGradient(true);
            }
            parameters.add(array);
            parameterNames.add(spec.name());
        }
    }

    /** The state_dict, ready for {@link SafeTensors#write}. */
    public Map<String, SafeTensor> state() {
        Map<String, SafeTensor> out = new LinkedHashMap<>();
        for (TensorSpec spec : DcganLayers.stateDict(layers)) {
            if (spec.dtype() == SafeTensor.DType.I64) {
                out.put(spec.name(), SafeTensor.i64(new long[] {batchesTracked.get(spec.name())}, new long[0]));
            } else {
                out.put(spec.name(), SafeTensor.f32(tensors.get(spec.name()).toFloatArray(), spec.shape()));
            }
        }
        return out;
    }

    public NDArray get(String name) {
        NDArray a = tensors.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no tensor " + name);
        }
        return a;
    }

    /** The trainable tensors in state_dict order (what {@code net.parameters()} yields in PyTorch). */
    public List<NDArray> parameters() {
        return parameters;
    }

    public List<String> parameterNames() {
        return parameterNames;
    }

    private float calibrationWeight;

    void startCalibration(int batches) {
        calibrationWeight = 1f / batches;
        tensors.forEach((name, t) -> {
            if (name.endsWith("running_mean") || name.endsWith("running_var")) {
                t.muli(0);
            }
        });
    }

    float calibrationWeight() {
        return calibrationWeight;
    }

    void endCalibration() {
        calibrationWeight = 0f;
    }

    void countBatch(int layerIndex) {
        batchesTracked.merge("main." + layerIndex + ".num_batches_tracked", 1L, Long::sum);
    }

    public List<Layer> layers() {
        return layers;
    }

    public NDManager manager() {
        return manager;
    }

    /** Zeroes the gradients of every parameter (PyTorch's {@code net.zero_grad()}). */
    private static final ai.djl.ndarray.index.NDIndex ALL = new ai.djl.ndarray.index.NDIndex("...");

    public void zeroGrad() {
        for (NDArray p : parameters) {
            try (NDArray g = p.getGradient()) {
                g.set(ALL, 0f); // a fill: multiplying by 0 would keep a NaN or an infinity
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
