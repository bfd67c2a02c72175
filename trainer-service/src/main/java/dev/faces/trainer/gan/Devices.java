package dev.faces.trainer.gan;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;

/**
 * The device DJL trains on. {@code auto} takes the engine's default: the first GPU when libtorch was built with
 * CUDA and sees one, else the CPU. {@code cpu}, {@code gpu} and {@code gpu:N} pin it; asking for a GPU that
 * libtorch cannot see is a configuration error, not a silent fall-back to a CPU that would train 50x slower.
 */
public final class Devices {
    private Devices() {
    }

    /** The device and how the logs and APIs describe it. */
    public record Choice(Device device, String description) {
        /** The device as DJL names it: {@code cpu()}, {@code gpu(0)}. */
        public String name() {
            return device.toString();
        }
    }

    public static Choice select(String configured) {
        return select(configured, Engine.getInstance());
    }

    static Choice select(String configured, Engine engine) {
        String value = configured == null ? "auto" : configured.trim().toLowerCase(Locale.ROOT);
        Device device;
        if (value.isEmpty() || value.equals("auto")) {
            device = engine.defaultDevice();
        } else if (value.equals("cpu")) {
            device = Device.cpu();
        } else if (value.equals("gpu") || value.matches("gpu:\\d{1,3}")) {
            int id = value.equals("gpu") ? 0 : Integer.parseInt(value.substring(4));
            if (id >= engine.getGpuCount()) {
                throw new IllegalArgumentException("TRAINER_DEVICE=" + configured + " but " + engine.getEngineName()
                        + " " + engine.getVersion() + " sees " + engine.getGpuCount() + " GPU(s): is this the CUDA"
                        + " image (Dockerfile.cuda) on a GPU node with the NVIDIA runtime?");
            }
            device = Device.gpu(id);
        } else {
            throw new IllegalArgumentException("TRAINER_DEVICE=" + configured + " is not one of auto, cpu, gpu, gpu:N");
        }
        return new Choice(device, device + " (" + engine.getEngineName() + " " + engine.getVersion() + ", "
                + engine.getGpuCount() + " GPU(s) visible, configured " + (value.isEmpty() ? "auto" : value) + ")");
    }
}
