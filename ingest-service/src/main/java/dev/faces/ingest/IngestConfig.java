package dev.faces.ingest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;

@ConfigMapping(prefix = "faces.ingest")
public interface IngestConfig {
    /** Local sources must lie under one of these folders. */
    List<String> allowedRoots();

    /** Buckets that s3:// sources may name (the service's credentials may read more). */
    List<String> allowedBuckets();

    /** Images per shard. */
    @WithDefault("1000")
    int shardSize();

    /** Decoding threads (0: one per core). */
    @WithDefault("0")
    int threads();

    /** Larger files are rejected unread. */
    @WithDefault("20000000")
    long maxFileBytes();

    /** Largest zip fetched from S3; checked from the object's size before the download. */
    @WithDefault("4000000000")
    long maxZipBytes();
}
