package dev.faces.stack;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Objects;

/**
 * The launcher's console: one live line (ingest, training, the model served), redrawn in place on a terminal,
 * and a permanent line for each milestone (ingest done, a run's status, a new model served).
 */
final class ProgressView {
    /** What the three APIs said in one poll; null parts have not started or did not answer. */
    record Snapshot(JsonNode ingest, JsonNode run, JsonNode model) {
    }

    private final PrintStream out;
    private final boolean terminal;
    private final boolean training;
    private String ingestStatus;
    private String runStatus;
    private String modelVersion;
    private String lastLine = "";
    private long lastPrinted;

    ProgressView(PrintStream out, boolean terminal, boolean training) {
        this.out = out;
        this.terminal = terminal;
        this.training = training;
    }

    /** Prints milestones and the live line for this poll. */
    synchronized void show(Snapshot s) {
        milestones(s);
        String line = line(s);
        long now = System.nanoTime();
        if (terminal) {
            out.print("\r\033[2K" + line);
            out.flush();
        } else if (!line.equals(lastLine) && now - lastPrinted > 10_000_000_000L) {
            out.println(line);
            lastPrinted = now;
        }
        lastLine = line;
    }

    /** A permanent line above the live one. */
    synchronized void say(String message) {
        if (terminal) {
            out.print("\r\033[2K");
        }
        out.println(message);
        if (terminal) {
            out.print(lastLine);
            out.flush();
        }
    }

    boolean ingestFinished() {
        return "completed".equals(ingestStatus) || "failed".equals(ingestStatus);
    }

    boolean runFinished() {
        return runStatus != null && !runStatus.equals("queued") && !runStatus.equals("running");
    }

    String modelVersion() {
        return modelVersion;
    }

    private void milestones(Snapshot s) {
        if (s.ingest() != null) {
            String status = s.ingest().path("status").asText();
            if (!status.equals(ingestStatus) && (status.equals("completed") || status.equals("failed"))) {
                JsonNode j = s.ingest();
                String message = j.path("message").asText("");
                say(status.equals("completed")
                        ? String.format(Locale.ROOT, "ingest  %s: %d images in %d shards, %d rejected%s",
                        j.path("datasetId").asText(), j.path("processed").asInt() - j.path("rejected").asInt(),
                        j.path("shards").asInt(), j.path("rejected").asInt(), message.isEmpty() ? "" : " (" + message + ")")
                        : "ingest  FAILED: " + message);
            }
            ingestStatus = status;
        }
        if (s.run() != null) {
            String status = s.run().path("status").asText();
            if (!status.equals(runStatus)) {
                JsonNode r = s.run();
                String reason = r.path("reason").asText("");
                say(String.format(Locale.ROOT, "train   %s %s (%d/%d epochs)%s", r.path("runId").asText(), status,
                        r.path("epochsDone").asInt(), r.path("epochs").asInt(), reason.isEmpty() ? "" : ": " + reason));
            }
            runStatus = status;
        }
        if (s.model() != null) {
            String version = s.model().path("version").asText();
            if (!Objects.equals(version, modelVersion)) {
                say("serve   " + version + " is now served");
            }
            modelVersion = version;
        }
    }

    private String line(Snapshot s) {
        StringBuilder b = new StringBuilder();
        JsonNode j = s.ingest();
        if (j == null) {
            b.append("ingest starting");
        } else {
            int total = j.path("total").asInt();
            int done = j.path("processed").asInt();
            b.append(String.format(Locale.ROOT, "ingest %3d%% %d/%d", total == 0 ? 100 : 100 * done / total, done, total));
            if (j.path("status").asText().equals("running")) {
                b.append(String.format(Locale.ROOT, " %.0f img/s", j.path("imagesPerSecond").asDouble()));
                if (j.hasNonNull("etaSeconds")) {
                    b.append(" ETA ").append(j.path("etaSeconds").asLong()).append('s');
                }
            }
        }
        b.append(" | ");
        JsonNode r = s.run();
        if (!training) {
            b.append("train off (--epochs 0)");
        } else if (r == null) {
            b.append("train waiting for data");
        } else if (r.path("status").asText().equals("running") && r.hasNonNull("batch")) {
            b.append(String.format(Locale.ROOT, "train epoch %d/%d batch %d/%d D %.3f G %.3f",
                    r.path("epoch").asInt(), r.path("epochs").asInt(), r.path("batch").asInt(),
                    r.path("batchesPerEpoch").asInt(), r.path("lossD").asDouble(), r.path("lossG").asDouble()));
            if (r.hasNonNull("eta")) {
                b.append(" ETA ").append(r.path("eta").asText());
            }
        } else {
            b.append("train ").append(r.path("status").asText()).append(' ')
                    .append(r.path("epochsDone").asInt()).append('/').append(r.path("epochs").asInt()).append(" epochs");
        }
        b.append(" | ");
        b.append(s.model() == null ? "no model yet" : "serving " + s.model().path("version").asText());
        return b.toString();
    }
}
