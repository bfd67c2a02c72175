package dev.faces.generator.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faces.core.AdminToken;
import dev.faces.core.Ids;
import dev.faces.core.JsonBodies;
import dev.faces.core.ProblemException;
import dev.faces.core.events.ServingChanged;
import dev.faces.core.kafka.CloudEventProducer;
import dev.faces.generator.messaging.ServingState;
import dev.faces.generator.model.CheckpointLoader;
import dev.faces.generator.model.LoadedModel;
import dev.faces.generator.model.ModelRegistry;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;

/** The checkpoints the service knows, the one it serves, and pinning (also how to roll back). */
@Path("/api/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

    @Inject
    ModelRegistry registry;

    @Inject
    AdminToken adminToken;

    @Inject
    CheckpointLoader loader;

    @Inject
    ServingState serving;

    @Inject
    dev.faces.generator.ServingMetrics metrics;

    public record ModelView(String version, String runId, int epoch, Double swd, String status, String reason,
                            Instant publishedAt, String sha256) {
        static ModelView of(ModelRegistry.Entry e) {
            return new ModelView(e.version(), e.runId(), e.epoch(), e.swd(), e.status().name(), e.reason(),
                    e.publishedAt(), e.sha256());
        }
    }

    public record Current(String version, String runId, int epoch, String sha256, boolean pinned,
                          ModelRegistry.Policy policy, Instant loadedAt, String variant) {
    }

    public record Models(ModelRegistry.Policy policy, String pinned, String current, long failedLoads,
                         List<ModelView> models) {
    }

    @GET
    public Models list() {
        return new Models(registry.policy(), registry.pinned().orElse(null),
                registry.current().map(LoadedModel::version).orElse(null), registry.failedLoads(),
                registry.entries().stream().map(ModelView::of).toList());
    }

    @GET
    @Path("current")
    public Current current() {
        metrics.served();
        return view(registry.current().orElseThrow(() -> new ProblemException(503, "No model yet",
                "no generator has been loaded yet; GET /api/models shows what was tried")));
    }

    @PUT
    @Path("current")
    @Consumes(MediaType.WILDCARD)
    public Current pin(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, byte[] body) {
        adminToken.require(authorization);
        JsonNode json = JsonBodies.object(body, 4096, "{\"runId\": \"...\", \"epoch\": N}");
        if (!json.path("runId").isTextual() || !json.path("epoch").canConvertToInt()
                || !json.path("epoch").isIntegralNumber()) {
            throw new ProblemException(400, "Bad Request", "send {\"runId\": \"...\", \"epoch\": N} naming a loaded checkpoint");
        }
        String runId = json.path("runId").asText();
        if (!Ids.isSafe(runId)) {
            throw new ProblemException(400, "Bad Request", "runId '" + runId + "' is not a valid run id");
        }
        int epoch = json.path("epoch").asInt();
        try {
            registry.requireServable(runId, epoch); // before anything is shared with the other replicas
            share(new ServingChanged(runId, epoch, policyName(registry.chosenPolicy())));
            loader.pin(runId, epoch);
        } catch (IllegalArgumentException e) {
            throw new ProblemException(404, "Not servable", e.getMessage());
        }
        return current();
    }

    @DELETE
    @Path("current/pin")
    public Current unpin(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        adminToken.require(authorization);
        share(new ServingChanged(null, null, policyName(registry.chosenPolicy())));
        loader.follow(null, registry.chosenPolicy());
        return current();
    }

    /** Sets the policy of every replica: {"policy": "latest"} or {"policy": "best"} (lowest SWD). */
    @PUT
    @Path("policy")
    @Consumes(MediaType.WILDCARD)
    public Current policy(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, byte[] body) {
        adminToken.require(authorization);
        JsonNode json = JsonBodies.object(body, 4096, "{\"policy\": \"best\"}");
        String name = json.path("policy").asText(null);
        if (name == null || !name.matches("latest|best")) {
            throw new ProblemException(400, "Bad Request", "send {\"policy\": \"latest\"} or {\"policy\": \"best\"}");
        }
        ModelRegistry.Pin pin = registry.pin().orElse(null); // kept, known to this replica or not
        share(new ServingChanged(pin == null ? null : pin.runId(), pin == null ? null : pin.epoch(), name));
        loader.follow(pin, ModelRegistry.Policy.valueOf(name));
        return current();
    }

    /** Puts the change on faces.serving, which every replica follows; Kafka away is a 503, nothing changes. */
    private void share(ServingChanged change) {
        try {
            serving.publish(change);
        } catch (CloudEventProducer.UnavailableException e) {
            throw new ProblemException(503, "Kafka unavailable", "the change could not be shared with the other "
                    + "replicas (" + e.getMessage() + "); nothing was changed, retry shortly");
        }
    }

    private static String policyName(ModelRegistry.Policy p) {
        return p == null ? null : p.name();
    }

    private Current view(LoadedModel m) {
        return new Current(m.version(), m.runId(), m.epoch(), m.sha256(),
                registry.pinned().map(m.version()::equals).orElse(false), registry.policy(), m.loadedAt(),
                m.variant());
    }
}
