package dev.faces.trainer.runs;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/** The partition a key maps to under Kafka's default partitioner (murmur2), as producers choose it. */
public final class RunPartitions {
    private RunPartitions() {
    }

    public static int of(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
