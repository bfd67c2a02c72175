package dev.faces.core;

import java.util.List;

/** Kafka topic names of DESIGN §3. Each main topic has a dead-letter twin for records that cannot be parsed. */
public final class Topics {
    public static final String DATASETS = "faces.datasets";
    public static final String TRAINING_REQUESTS = "faces.training-requests";
    public static final String CHECKPOINTS = "faces.checkpoints";

    /** Partitions per topic: records are keyed by aggregate id, so more partitions keep order per dataset/run. */
    public static final int PARTITIONS = 3;

    public static final List<String> MAIN = List.of(DATASETS, TRAINING_REQUESTS, CHECKPOINTS);

    private Topics() {
    }

    public static String deadLetter(String topic) {
        return topic + ".dlq";
    }

    /** Every topic the pipeline uses: the three main ones and their dead-letter topics. */
    public static List<String> all() {
        return MAIN.stream().flatMap(t -> List.of(t, deadLetter(t)).stream()).toList();
    }
}
