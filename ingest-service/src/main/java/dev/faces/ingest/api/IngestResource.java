package dev.faces.ingest.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faces.core.AdminToken;
import dev.faces.core.Ids;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.JsonBodies;
import dev.faces.core.ProblemException;
import dev.faces.core.events.EventCodec;
import dev.faces.ingest.job.IngestJobs;
import dev.faces.ingest.job.IngestProgress;
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
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Ingest jobs (start with the admin token, follow progress) and the datasets they produced. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class IngestResource {

    @Inject
    IngestJobs jobs;

    @Inject
    AdminToken adminToken;

    @Inject
    ObjectStore store;

    @ConfigProperty(name = "faces.buckets.datasets")
    String bucket;

    public record JobView(String id, String datasetId, String source, IngestProgress.Status status, int processed,
                         int total, int rejected, int shards, double imagesPerSecond, Long etaSeconds, String message) {
        static JobView of(IngestJobs.Job j) {
            IngestProgress p = j.progress();
            long eta = p.etaSeconds();
            return new JobView(j.id(), j.datasetId(), j.source(), p.status(), p.processed(), p.total(), p.rejected(),
                    p.shards(), Math.round(p.imagesPerSecond() * 10) / 10.0, eta >= 0 ? eta : null, p.message());
        }
    }

    @POST
    @Path("ingest-jobs")
    @Consumes(MediaType.WILDCARD)
    public Response start(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, byte[] body) {
        adminToken.require(authorization);
        JsonNode json = JsonBodies.object(body, 16 * 1024,
                "{\"source\": \"...\", \"datasetId\"?, \"limit\"?, \"partition\"?}");
        if (json.has("limit") && !json.get("limit").canConvertToInt()) {
            throw new ProblemException(400, "Bad Request", "'limit' must be an integer");
        }
        try {
            IngestJobs.Job job = jobs.submit(new IngestJobs.Request(text(json, "source"), text(json, "datasetId"),
                    json.has("limit") ? json.get("limit").asInt() : null, text(json, "partition")));
            return Response.accepted(JobView.of(job)).build();
        } catch (IllegalArgumentException e) {
            throw new ProblemException(400, "Bad Request", e.getMessage());
        }
    }

    @GET
    @Path("ingest-jobs")
    public List<JobView> list() {
        return jobs.list().stream().map(JobView::of).toList();
    }

    @GET
    @Path("ingest-jobs/{id}")
    public JobView job(@PathParam("id") String id) {
        return jobs.get(id).map(JobView::of).orElseThrow(() -> new ProblemException(404, "No such job",
                "no ingest job '" + id + "'; GET /api/ingest-jobs lists them"));
    }

    @GET
    @Path("datasets")
    public List<JsonNode> datasets() {
        List<JsonNode> out = new ArrayList<>();
        for (String key : store.list(bucket, "")) {
            if (key.endsWith("/manifest.json") && key.indexOf('/') == key.length() - "/manifest.json".length()) {
                store.get(bucket, key).ifPresent(bytes -> {
                    try {
                        JsonNode m = EventCodec.json().readTree(bytes);
                        if (m instanceof com.fasterxml.jackson.databind.node.ObjectNode object) {
                            object.remove("shards");
                            out.add(object);
                        } // a manifest that is not an object names no dataset
                    } catch (IOException ignored) {
                        // an unreadable manifest names no dataset
                    }
                });
            }
        }
        return out;
    }

    @GET
    @Path("datasets/{id}")
    public Response dataset(@PathParam("id") String id) {
        if (!Ids.isSafe(id)) {
            throw new ProblemException(400, "Bad Request", "'" + id + "' is not a valid dataset id");
        }
        byte[] manifest = store.get(bucket, ObjectKeys.manifest(id)).orElseThrow(() -> new ProblemException(404,
                "No such dataset", "no manifest for dataset '" + id + "'; GET /api/datasets lists them"));
        return Response.ok(manifest, MediaType.APPLICATION_JSON).build();
    }

    private static String text(JsonNode json, String field) {
        JsonNode n = json.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }
}
