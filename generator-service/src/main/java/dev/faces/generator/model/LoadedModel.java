package dev.faces.generator.model;

import java.time.Instant;

/**
 * A generator ready to serve, with the checkpoint it came from; {@code variant} says which of its generators it
 * is ({@code ema}: G_ema, {@code raw}: G).
 */
public record LoadedModel(String runId, int epoch, String sha256, GeneratorModel model, Instant loadedAt,
                          String variant) {

    public LoadedModel(String runId, int epoch, String sha256, GeneratorModel model, Instant loadedAt) {
        this(runId, epoch, sha256, model, loadedAt, "raw");
    }

    /** {@code run-42/epoch-0003}: the X-Model-Version of every image it draws. */
    public String version() {
        return version(runId, epoch);
    }

    public static String version(String runId, int epoch) {
        return String.format("%s/epoch-%04d", runId, epoch);
    }
}
