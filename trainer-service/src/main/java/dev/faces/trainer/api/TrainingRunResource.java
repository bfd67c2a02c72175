package dev.faces.trainer.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faces.core.AdminToken;
import dev.faces.core.Ids;
import dev.faces.core.JsonBodies;
import dev.faces.core.ProblemException;
import dev.faces.core.events.EventCodec;
import dev.faces.core.events.EventType;
import dev.faces.core.events.TrainingRequested;
import dev.faces.core.kafka.CloudEventProducer;
import dev.faces.trainer.messaging.CheckpointEvents;
import dev.faces.trainer.runs.RunManager;
import dev.faces.trainer.runs.RunRecord;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** Training runs: start (admin), list, inspect with live progress, cancel (admin). */
@Path("/api/training-runs")
@Produces(MediaType.APPLICATION_JSON)
public class TrainingRunResource {
    static final int MAX_BODY_BYTES = 16 * 1024;

    @Inject
    RunManager runs;

    @Inject
    AdminToken adminToken;

    @Inject
    CheckpointEvents events;

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response start(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                          @HeaderParam("Idempotency-Key") String idempotencyKey, byte[] body) {
        adminToken.require(authorization);
        JsonNode json = JsonBodies.object(body, MAX_BODY_BYTES, "{\"datasetId\": \"celeba\"}");
        TrainingRequested request = EventCodec.decodeData(EventType.TRAINING_REQUESTED, json);
        TrainingRequested withId = request.runId() != null ? request : request.withRunId(runIdFor(idempotencyKey));
        // Through the topic, so that the owner of the run's partition takes it, whichever replica this is.
        try {
            events.request(withId);
        } catch (CloudEventProducer.UnavailableException e) {
            throw new ProblemException(503, "Kafka unavailable", "the request could not be queued: "
                    + e.getMessage() + "; try again shortly");
        }
        return Response.accepted(view(runs.get(withId.runId()).orElse(RunRecord.queued(withId, -1)))).build();
    }

    @GET
    public List<RunView> list() {
        return runs.list().stream().map(this::view).toList();
    }

    @GET
    @Path("{runId}")
    public RunView get(@PathParam("runId") String runId) {
        return view(find(runId));
    }

    @POST
    @Path("{runId}/cancel")
    public Response cancel(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                           @PathParam("runId") String runId) {
        adminToken.require(authorization);
        find(runId);
        return Response.accepted(view(runs.cancel(runId).orElseThrow())).build();
    }

    private RunRecord find(String runId) {
        if (!Ids.isSafe(runId)) {
            throw new ProblemException(400, "Invalid run id",
                    "run ids are 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return runs.get(runId).orElseThrow(() -> new ProblemException(404, "No such run",
                "no training run '" + runId + "'; GET /api/training-runs lists them"));
    }

    /**
     * A request without a runId gets one: derived from its Idempotency-Key when the client sends one, so that a
     * retried POST (a timeout, a lost answer) names the same run and starts nothing new; otherwise a new one.
     */
    static String runIdFor(String idempotencyKey) {
        if (idempotencyKey == null) {
            return newRunId();
        }
        if (idempotencyKey.isBlank() || idempotencyKey.length() > 200 || !idempotencyKey.chars().allMatch(c -> c > 32 && c < 127)) {
            throw new ProblemException(400, "Invalid Idempotency-Key",
                    "an Idempotency-Key is 1-200 printable ASCII characters without spaces");
        }
        return "run-" + dev.faces.core.Digests.sha256(idempotencyKey.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .substring(0, 16);
    }

    private static String newRunId() {
        return "run-" + java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern(
                "yyyyMMdd-HHmmss")) + "-" + java.util.UUID.randomUUID().toString().substring(0, 4);
    }

    private RunView view(RunRecord r) {
        return RunView.of(r, runs.progress(r.runId()).orElse(null));
    }
}
