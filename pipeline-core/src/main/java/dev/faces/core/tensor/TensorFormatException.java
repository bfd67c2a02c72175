package dev.faces.core.tensor;

/** A tensor file (.npy or safetensors) that cannot be read as the format requires. */
public class TensorFormatException extends RuntimeException {
    public TensorFormatException(String message) {
        super(message);
    }
}
