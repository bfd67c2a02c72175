package dev.faces.generator;

import dev.faces.generator.model.ModelRegistry;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "faces.generator")
public interface GeneratorConfig {
    /** latest: the newest checkpoint; best: the lowest SWD. A pin overrides either. */
    @WithDefault("latest")
    ModelRegistry.Policy policy();

    /** ema: serve each checkpoint's G_ema (when it has one), raw: its G. The best policy ranks by that one's SWD. */
    @WithDefault("ema")
    dev.faces.generator.model.CheckpointLoader.Variant variant();

    /** Faces drawn together in one forward pass at most. */
    @WithDefault("64")
    int maxBatch();

    /** How long a request waits for others to share its forward pass. */
    @WithDefault("2000")
    long maxWaitMicros();

    /** Faces waiting at most; beyond, requests get 503 with Retry-After. */
    @WithDefault("1024")
    int maxQueuedFaces();

    /** How long a request may wait for its faces; past it, it is not drawn and gets a 503 with Retry-After. */
    @WithDefault("10000")
    long requestTimeoutMs();

    /** Seconds between scans of S3 for a newer checkpoint than the events brought (0: never). */
    @WithDefault("60")
    int rescanSeconds();

    /**
     * Models kept in memory at most: the served, the pinned and the previous one (for a quick rollback); the
     * others load again on demand. About 30 MB each.
     */
    @WithDefault("3")
    int maxLoadedModels();

    /** Threads of the forward pass (0: one per core). */
    @WithDefault("0")
    int threads();
}
