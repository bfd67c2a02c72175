package dev.faces.generator;

import dev.faces.generator.model.ModelRegistry;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "faces.generator")
public interface GeneratorConfig {
    /** latest: the newest checkpoint; best: the lowest SWD. A pin overrides either. */
    @WithDefault("latest")
    ModelRegistry.Policy policy();

    /** Faces drawn together in one forward pass at most. */
    @WithDefault("64")
    int maxBatch();

    /** How long a request waits for others to share its forward pass. */
    @WithDefault("2000")
    long maxWaitMicros();

    /** Faces waiting at most; beyond, requests get 503 with Retry-After. */
    @WithDefault("1024")
    int maxQueuedFaces();

    /** Seconds between scans of S3 for a newer checkpoint than the events brought (0: never). */
    @WithDefault("60")
    int rescanSeconds();

    /** Threads of the forward pass (0: one per core). */
    @WithDefault("0")
    int threads();
}
