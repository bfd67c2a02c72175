package dev.faces.trainer.runs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.events.EventCodec;
import dev.faces.trainer.gan.DcganStep;
import dev.faces.trainer.gan.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code metrics.jsonl}: a line per logged step (every 50) and per epoch. S3 cannot append, so the file is
 * rewritten at each epoch's end. A resumed run keeps the lines of its finished epochs only, so no epoch's
 * lines appear twice.
 */
public final class MetricsLog implements TrainingListener {
    private final ObjectStore store;
    private final String bucket;
    private final String runId;
    private final List<String> lines = new ArrayList<>();

    /** @param upToStep the global step the run resumes after: later lines belong to lost work */
    private final RunWrites writes;

    public MetricsLog(ObjectStore store, String bucket, RunWrites writes, String runId, long upToStep) {
        this.writes = writes;
        this.store = store;
        this.bucket = bucket;
        this.runId = runId;
        store.get(bucket, ObjectKeys.metricsLog(runId)).ifPresent(bytes -> {
            for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && stepOf(line) <= upToStep) {
                    lines.add(line);
                }
            }
        });
    }

    @Override
    public void onStep(StepInfo s) {
        if (s.globalStep() % TrainingLog.EVERY == 0) {
            ObjectNode line = losses("step", s.epoch(), s.globalStep(), s.result());
            line.put("batch", s.batch());
            line.put("imagesPerSecond", round(s.imagesPerSecond()));
            lines.add(line.toString());
        }
    }

    @Override
    public void onEpoch(EpochInfo e) {
        ObjectNode line = losses("epoch", e.epoch(), e.globalStep(), e.last());
        line.put("imagesPerSecond", round(e.imagesPerSecond()));
        putNumber(line, "swd", e.swd());
        putNumber(line, "swdEma", e.swdEma());
        putNumber(line, "swdFloor", e.swdFloor());
        lines.add(line.toString());
        flush();
    }

    /** Writes the lines so far (at epoch ends and step checkpoints). */
    public void flush() {
        writes.put(ObjectKeys.metricsLog(runId), (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8),
                "application/x-ndjson");
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    private static ObjectNode losses(String type, int epoch, long step, DcganStep.Result r) {
        ObjectNode line = EventCodec.json().createObjectNode();
        line.put("type", type);
        line.put("epoch", epoch);
        line.put("step", step);
        line.put("lossD", r.lossD());
        line.put("lossG", r.lossG());
        line.put("dx", r.dx());
        line.put("dgz1", r.dgz1());
        line.put("dgz2", r.dgz2());
        line.put("time", Instant.now().toString());
        return line;
    }

    static void putNumber(ObjectNode node, String field, double value) {
        if (Double.isFinite(value)) {
            node.put(field, round(value));
        } else {
            node.putNull(field);
        }
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static long stepOf(String line) {
        try {
            return EventCodec.json().readTree(line).path("step").asLong(Long.MAX_VALUE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
