package dev.faces.ingest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;

@ConfigMapping(prefix = "faces.ingest")
public interface IngestConfig {
    /** Local sources must lie under one of these folders. */
    List<String> allowedRoots();

    /** Images per shard. */
    @WithDefault("1000")
    int shardSize();

    /** Decoding threads (0: one per core). */
    @WithDefault("0")
    int threads();

    /** Larger files are rejected unread. */
    @WithDefault("20000000")
    long maxFileBytes();

    /** Largest zip fetched from S3. */
    @WithDefault("4000000000")
    long maxZipBytes();
}
