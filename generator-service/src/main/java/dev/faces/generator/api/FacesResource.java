package dev.faces.generator.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faces.core.ImageGrid;
import dev.faces.core.Latents;
import dev.faces.core.ProblemException;
import dev.faces.core.events.EventCodec;
import dev.faces.generator.model.FaceBatcher;
import dev.faces.generator.model.LoadedModel;
import dev.faces.generator.model.ModelRegistry;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Faces over HTTP. Face {@code i} of seed {@code s} is row {@code i} of {@code Latents.of(s, n)} (README: how a
 * seed becomes a latent), so {@code /api/faces/7.png} is the first face of {@code /api/faces?seed=7}.
 */
@Path("/api")
public class FacesResource {
    static final int MAX_COUNT = 64;
    static final int MAX_COLS = 16;
    static final int MAX_STEPS = 32;
    static final int MAX_BODY_BYTES = 256 * 1024;
    static final String PNG = "image/png";

    @Inject
    FaceBatcher batcher;

    @Inject
    ModelRegistry registry;

    @Inject
    dev.faces.generator.GeneratorConfig config;

    @Inject
    dev.faces.generator.ServingMetrics metrics;

    @GET
    @Path("faces")
    @Produces(PNG)
    public CompletionStage<Response> grid(@QueryParam("seed") String seedParam, @QueryParam("count") String countParam,
                         @QueryParam("cols") String colsParam, @HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
        long seed = seedParam == null ? System.nanoTime() : parseLong("seed", seedParam);
        int count = parseInt("count", countParam, 64, 1, MAX_COUNT);
        int cols = parseInt("cols", colsParam, Math.min(8, count), 1, MAX_COLS);
        String etag = etag("grid", seed, count, cols);
        if (seedParam != null && etag.equals(ifNoneMatch)) {
            return CompletableFuture.completedFuture(Response.notModified().tag(etag.replace("\"", "")).build());
        }
        return draw(Latents.of(seed, count), count, r -> image(ImageGrid.png(r.pixels(), count, 64, cols), r.model(),
                seedParam == null ? null : etag(r.model(), "grid", seed, count, cols)));
    }

    @GET
    @Path("faces/{seed}.png")
    @Produces(PNG)
    public CompletionStage<Response> face(@PathParam("seed") String seedParam) {
        long seed = parseLong("seed", seedParam);
        return draw(Latents.of(seed, 1), 1, r -> image(ImageGrid.png(ImageGrid.render(r.pixels(), 1, 64, 1, 0)),
                r.model(), etag(r.model(), "face", seed)));
    }

    @GET
    @Path("interpolate")
    @Produces(PNG)
    public CompletionStage<Response> interpolate(@QueryParam("from") String fromParam, @QueryParam("to") String toParam,
                                @QueryParam("steps") String stepsParam) {
        long from = parseLong("from", require("from", fromParam));
        long to = parseLong("to", require("to", toParam));
        int steps = parseInt("steps", stepsParam, 8, 2, MAX_STEPS);
        float[] a = Latents.of(from, 1);
        float[] b = Latents.of(to, 1);
        float[] z = new float[steps * Latents.DIM];
        for (int s = 0; s < steps; s++) {
            float t = s / (float) (steps - 1);
            for (int i = 0; i < Latents.DIM; i++) {
                z[s * Latents.DIM + i] = (1 - t) * a[i] + t * b[i];
            }
        }
        return draw(z, steps, r -> image(ImageGrid.png(r.pixels(), steps, 64, steps), r.model(),
                etag(r.model(), "lerp", from, to, steps)));
    }

    @POST
    @Path("faces")
    @Consumes(MediaType.WILDCARD)
    @Produces({PNG, MediaType.APPLICATION_JSON})
    public CompletionStage<Response> fromLatents(byte[] body, @HeaderParam(HttpHeaders.ACCEPT) String accept) {
        if (body == null || body.length == 0) {
            throw bad("send {\"latents\": [[100 numbers], ...]} with 1 to " + MAX_COUNT + " latents");
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new ProblemException(413, "Body too large", "at most " + MAX_BODY_BYTES + " bytes (" + MAX_COUNT + " latents)");
        }
        JsonNode latents;
        try {
            latents = EventCodec.json().readTree(body).path("latents");
        } catch (IOException e) {
            throw bad("the body is not valid JSON: " + e.getMessage());
        }
        if (!latents.isArray() || latents.isEmpty() || latents.size() > MAX_COUNT) {
            throw bad("'latents' must be an array of 1 to " + MAX_COUNT + " latents of " + Latents.DIM + " numbers");
        }
        int n = latents.size();
        float[] z = new float[n * Latents.DIM];
        for (int i = 0; i < n; i++) {
            JsonNode row = latents.get(i);
            if (!row.isArray() || row.size() != Latents.DIM) {
                throw bad("latent " + i + " must be an array of exactly " + Latents.DIM + " numbers");
            }
            for (int j = 0; j < Latents.DIM; j++) {
                JsonNode v = row.get(j);
                if (!v.isNumber() || !Double.isFinite(v.asDouble()) || Math.abs(v.asDouble()) > 1e3) {
                    throw bad("latent " + i + " value " + j + " must be a finite number within +-1000");
                }
                z[i * Latents.DIM + j] = (float) v.asDouble();
            }
        }
        boolean json = accept != null && accept.contains(MediaType.APPLICATION_JSON) && !accept.contains(PNG);
        return draw(z, n, r -> {
            if (json) {
                float[][] images = new float[n][];
                int per = 3 * 64 * 64;
                for (int i = 0; i < n; i++) {
                    images[i] = java.util.Arrays.copyOfRange(r.pixels(), i * per, (i + 1) * per);
                }
                return Response.ok(new Images(r.model().version(), new int[] {n, 3, 64, 64}, images),
                        MediaType.APPLICATION_JSON).header("X-Model-Version", r.model().version())
                        .header("X-Model-Variant", r.model().variant()).build();
            }
            return image(ImageGrid.png(r.pixels(), n, 64, Math.min(8, n)), r.model(), null);
        });
    }

    /** Pixels NCHW in [-1, 1], one array of 3 * 64 * 64 values per latent. */
    public record Images(String modelVersion, int[] shape, float[][] images) {
    }

    /**
     * Queues the faces and answers when they are drawn, holding no thread while they wait. Each request has a
     * deadline ({@code faces.generator.request-timeout-ms}); one that expires in the queue is not drawn, and every
     * answer comes within the deadline plus one batch: a 503 with Retry-After when the service is overloaded.
     */
    private CompletionStage<Response> draw(float[] latents, int count,
                                           java.util.function.Function<FaceBatcher.Result, Response> render) {
        if (registry.current().isEmpty()) {
            throw new ProblemException(503, "No model yet",
                    "no generator has been loaded yet: train one (POST /api/training-runs on the trainer) or publish a checkpoint");
        }
        long timeoutMs = config.requestTimeoutMs();
        long started = System.nanoTime();
        CompletionStage<FaceBatcher.Result> drawn;
        try {
            drawn = batcher.submit(latents, count, started + TimeUnit.MILLISECONDS.toNanos(timeoutMs));
        } catch (FaceBatcher.OverloadedException e) {
            metrics.shed("overloaded");
            throw e;
        }
        return drawn.toCompletableFuture()
                .orTimeout(timeoutMs + 1000, TimeUnit.MILLISECONDS)
                .thenApply(r -> {
                    metrics.drawn(count, System.nanoTime() - started);
                    return r;
                })
                .thenApplyAsync(render, ENCODERS)
                .exceptionally(e -> {
                    Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                            ? e.getCause() : e;
                    if (cause instanceof ProblemException p) {
                        throw p;
                    }
                    if (cause instanceof FaceBatcher.DeadlineException || cause instanceof TimeoutException) {
                        metrics.shed("deadline");
                        throw new ProblemException(503, "Too busy", "the faces were not drawn within " + timeoutMs
                                + " ms; retry shortly");
                    }
                    metrics.shed("failed");
                    throw new ProblemException(503, "Could not draw", String.valueOf(cause.getMessage()));
                });
    }

    /** PNG encoding off the batcher's thread, so the next batch starts at once. */
    private static final java.util.concurrent.Executor ENCODERS = java.util.concurrent.Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
                Thread t = new Thread(r, "png-encoder");
                t.setDaemon(true);
                return t;
            });

    private static Response image(byte[] png, LoadedModel model, String etag) {
        Response.ResponseBuilder r = Response.ok(png, PNG).header("X-Model-Version", model.version())
                .header("X-Model-Variant", model.variant());
        if (etag != null) {
            r.tag(etag.replace("\"", "")).header(HttpHeaders.CACHE_CONTROL, "public, max-age=60");
        } else {
            r.header(HttpHeaders.CACHE_CONTROL, "no-store");
        }
        return r.build();
    }

    private String etag(String kind, long... args) {
        return registry.current().map(m -> etag(m, kind, args)).orElse("\"none\"");
    }

    private static String etag(LoadedModel model, String kind, long... args) {
        StringBuilder sb = new StringBuilder("\"").append(model.sha256(), 0, 16).append('-').append(kind);
        for (long a : args) {
            sb.append('-').append(a);
        }
        return sb.append('"').toString();
    }

    private static String require(String name, String value) {
        if (value == null || value.isBlank()) {
            throw bad("query parameter '" + name + "' is required (an integer seed)");
        }
        return value;
    }

    private static long parseLong(String name, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw bad("'" + name + "' must be an integer seed (64-bit), was '" + abbreviate(value) + "'");
        }
    }

    private static int parseInt(String name, String value, int fallback, int min, int max) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(value.trim());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw bad("'" + name + "' must be an integer from " + min + " to " + max + ", was '" + abbreviate(value) + "'");
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    private static ProblemException bad(String detail) {
        return new ProblemException(400, "Bad Request", detail);
    }
}
