package dev.faces.stack;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/** What {@code ./pipeline up} does once everything runs: starts the ingest, then follows the three APIs. */
final class PipelineRun {
    private final PipelineUp.Args args;
    private final PipelineServices services;
    private final Path source;

    PipelineRun(PipelineUp.Args args, PipelineServices services, Path source) {
        this.args = args;
        this.services = services;
        this.source = source;
    }

    void run() throws InterruptedException {
        String ingest = services.ingest().url();
        JsonHttp.Reply job = JsonHttp.post(ingest + "/api/ingest-jobs", PipelineUp.ingestRequest(args, source),
                PipelineUp.ADMIN_TOKEN);
        if (!job.ok()) {
            PipelineUp.fail("the ingest of " + source + " was refused (" + job.status() + "): "
                    + (job.body() == null ? "no answer" : job.body().path("detail").asText(job.body().toString())));
            return;
        }
        String jobUrl = ingest + "/api/ingest-jobs/" + job.body().path("id").asText();
        String runUrl = services.trainer().url() + "/api/training-runs/auto-" + args.datasetId();
        String modelUrl = services.generator().url() + "/api/models/current";
        System.out.printf("Ingesting %s as dataset %s; %s.%n", source, args.datasetId(), args.epochs() == 0
                ? "--epochs 0: no training" : "training " + args.epochs() + " epoch(s) starts when it is complete");
        ProgressView view = new ProgressView(System.out, System.console() != null, args.epochs() > 0);
        boolean announced = false;
        while (!PipelineUp.STOPPING.get()) {
            for (ServiceProcess p : services.all()) {
                if (!p.isRunning() && !PipelineUp.STOPPING.get()) {
                    view.say(p.service().module + " exited (code " + p.exitCode() + "); last lines of " + p.log() + ":\n"
                            + p.tail(20));
                    System.exit(1);
                }
            }
            JsonNode run = args.epochs() == 0 ? null : okBody(JsonHttp.get(runUrl));
            if (PipelineUp.STOPPING.get()) {
                return;
            }
            view.show(new ProgressView.Snapshot(okBody(JsonHttp.get(jobUrl)), run, okBody(JsonHttp.get(modelUrl))));
            boolean ready = args.epochs() == 0 ? view.ingestFinished() : view.modelVersion() != null;
            if (ready && !announced) {
                announced = true;
                view.say(args.epochs() == 0
                        ? "Ingest done (--epochs 0). Datasets: " + ingest + "/api/datasets   Ctrl-C stops."
                        : "Faces at http://localhost:" + services.generator().port() + "/   try: curl -o face.png "
                        + "localhost:" + services.generator().port() + "/api/faces/1.png   Ctrl-C stops.");
            }
            Thread.sleep(1000);
        }
    }

    private static JsonNode okBody(JsonHttp.Reply reply) {
        return reply.ok() ? reply.body() : null;
    }
}
