package dev.faces.core;

import java.util.List;

/** Kafka topic names of DESIGN §3. Each main topic has a dead-letter twin for records that cannot be parsed. */
public final class Topics {
    public static final String DATASETS = "faces.datasets";
    public static final String TRAINING_REQUESTS = "faces.training-requests";
    public static final String CHECKPOINTS = "faces.checkpoints";
    /** Compacted, one partition, key {@code current}: the pin and the policy every generator replica follows. */
    public static final String SERVING = "faces.serving";

    /** Partitions per topic: records are keyed by aggregate id, so more partitions keep order per dataset/run. */
    public static final int PARTITIONS = 3;

    public static final List<String> MAIN = List.of(DATASETS, TRAINING_REQUESTS, CHECKPOINTS, SERVING);

    private Topics() {
    }

    /** Topics whose old records are compacted away: only the newest value of each key matters. */
    public static boolean isCompacted(String topic) {
        return SERVING.equals(topic);
    }

    /** Partitions of a topic: the serving state is one key, so one partition keeps it in order. */
    public static int partitions(String topic) {
        return SERVING.equals(topic) ? 1 : PARTITIONS;
    }

    public static String deadLetter(String topic) {
        return topic + ".dlq";
    }

    /** Every topic the pipeline uses: the three main ones and their dead-letter topics. */
    public static List<String> all() {
        return MAIN.stream().flatMap(t -> List.of(t, deadLetter(t)).stream()).toList();
    }
}
