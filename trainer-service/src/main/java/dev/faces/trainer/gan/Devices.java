package dev.faces.trainer.gan;

import ai.djl.engine.Engine;

/** The device DJL trains on: its engine's default (a GPU when libtorch has CUDA and one is visible). */
public final class Devices {
    private Devices() {
    }

    public static String describe() {
        Engine engine = Engine.getInstance();
        return engine.defaultDevice() + " (" + engine.getEngineName() + " " + engine.getVersion() + ", "
                + engine.getGpuCount() + " GPU(s) visible)";
    }
}
