package dev.faces.generator.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faces.core.Ids;
import dev.faces.core.ProblemException;
import dev.faces.generator.runs.RunCatalog;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The training runs, read only, from the checkpoint layout in S3: what the gallery shows. Any replica answers;
 * answers are cached for a few seconds, sample grids (which never change) for an hour.
 */
@Path("/api/runs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "runs", description = "Training runs as the trainer left them in S3 (read only)")
public class RunsResource {
    private static final CacheControl SHORT = CacheControl.valueOf("max-age=2");

    @Inject
    RunCatalog catalog;

    @GET
    @Operation(summary = "Every run, newest first (at most 200)", description = "id, dataset, status, epochs, "
            + "images/s, started and finished times, divergence flag, device and hyper-parameters")
    public Response runs() {
        List<ObjectNode> runs = catalog.runs();
        return Response.ok(runs).cacheControl(SHORT).build();
    }

    @GET
    @Path("{runId}")
    @Operation(summary = "One run: its summary, run.json and the epochs in S3")
    @APIResponse(responseCode = "404", description = "no such run")
    @APIResponse(responseCode = "400", description = "not a valid run id")
    public Response run(@PathParam("runId") String runId) {
        ObjectNode run = catalog.run(valid(runId)).orElseThrow(() -> notFound(runId));
        return Response.ok(run).cacheControl(SHORT).build();
    }

    @GET
    @Path("{runId}/metrics")
    @Operation(summary = "metrics.jsonl as a JSON array: a line per logged step (every 50) and per epoch")
    @APIResponse(responseCode = "404", description = "no such run")
    public Response metrics(@PathParam("runId") String runId) {
        ArrayNode metrics = catalog.metrics(valid(runId)).orElseThrow(() -> notFound(runId));
        return Response.ok(metrics).cacheControl(SHORT).build();
    }

    @GET
    @Path("{runId}/epochs/{epoch}/samples.png")
    @Produces("image/png")
    @Operation(summary = "The 64 fixed-latent faces the trainer drew after this epoch")
    @APIResponse(responseCode = "404", description = "no such run or epoch, or its grid is not written yet")
    public Response samples(@PathParam("runId") String runId, @PathParam("epoch") String epochParam,
                            @jakarta.ws.rs.core.Context Request request) {
        int epoch = epoch(epochParam);
        return png(catalog.samples(valid(runId), epoch).orElseThrow(() -> new ProblemException(404, "Not Found",
                "run '" + runId + "' has no sample grid for epoch " + epoch + " (yet)")), request);
    }

    @GET
    @Path("{runId}/epochs/{epoch}/samples-ema.png")
    @Produces("image/png")
    @Operation(summary = "The same latents drawn by G_ema, the moving average of G's weights")
    @APIResponse(responseCode = "404", description = "no such run or epoch, or no G_ema grid (runs from before G_ema)")
    public Response samplesEma(@PathParam("runId") String runId, @PathParam("epoch") String epochParam,
                               @jakarta.ws.rs.core.Context Request request) {
        int epoch = epoch(epochParam);
        return png(catalog.samplesEma(valid(runId), epoch).orElseThrow(() -> new ProblemException(404, "Not Found",
                "run '" + runId + "' has no G_ema grid for epoch " + epoch)), request);
    }

    private static Response png(byte[] png, Request request) {
        EntityTag tag = new EntityTag(Integer.toHexString(java.util.Arrays.hashCode(png)) + "-" + png.length);
        Response.ResponseBuilder notModified = request.evaluatePreconditions(tag);
        CacheControl immutable = CacheControl.valueOf("public, max-age=3600");
        if (notModified != null) {
            return notModified.cacheControl(immutable).build();
        }
        return Response.ok(png, "image/png").tag(tag).cacheControl(immutable).build();
    }

    private static String valid(String runId) {
        if (!Ids.isSafe(runId)) {
            throw new ProblemException(400, "Bad Request", "'" + (runId.length() > 64 ? runId.substring(0, 61) + "..."
                    : runId) + "' is not a run id: 1-128 letters, digits, '.', '_' or '-'");
        }
        return runId;
    }

    private static int epoch(String value) {
        if (value == null || !value.matches("\\d{1,4}") || Integer.parseInt(value) < 1) {
            throw new ProblemException(400, "Bad Request", "epoch must be a number from 1 to 9999");
        }
        return Integer.parseInt(value);
    }

    private static ProblemException notFound(String runId) {
        return new ProblemException(404, "Not Found", "no run '" + runId + "' in the checkpoints bucket");
    }
}
