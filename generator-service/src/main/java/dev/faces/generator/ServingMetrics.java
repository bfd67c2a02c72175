package dev.faces.generator;

import dev.faces.generator.model.FaceBatcher;
import dev.faces.generator.model.LoadedModel;
import dev.faces.generator.model.ModelRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the Grafana dashboard shows of serving: faces drawn, request latency (a histogram, for percentiles),
 * batch sizes, shed requests by reason, and the served version ({@code faces_generator_served_info == 1}).
 */
@Singleton
public class ServingMetrics {
    private final MeterRegistry registry;
    private final ModelRegistry models;
    private final Counter faces;
    private final Timer requests;
    private final Set<String> versions = ConcurrentHashMap.newKeySet();

    public ServingMetrics(MeterRegistry registry, ModelRegistry models, FaceBatcher batcher) {
        this.registry = registry;
        this.models = models;
        this.faces = Counter.builder("faces.generator.faces").description("Faces drawn").register(registry);
        this.requests = Timer.builder("faces.generator.request").description("Time from request to drawn faces")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(15)).register(registry);
        DistributionSummary batches = DistributionSummary.builder("faces.generator.batch.size")
                .description("Faces per forward pass").publishPercentileHistogram().minimumExpectedValue(1.0)
                .maximumExpectedValue(64.0).register(registry);
        batcher.onBatch(batches::record);
        for (String reason : new String[] {"overloaded", "deadline", "failed"}) {
            shedCounter(reason); // present from the start, so that a dashboard's rate() reads 0, not nothing
        }
    }

    private Counter shedCounter(String reason) {
        return Counter.builder("faces.generator.shed").description("Requests answered 503 instead of drawn")
                .tag("reason", reason).register(registry);
    }

    /** A request's faces were drawn {@code nanos} after it arrived. */
    public void drawn(int count, long nanos) {
        faces.increment(count);
        requests.record(Duration.ofNanos(nanos));
        served();
    }

    /** A request got a 503 instead of faces: {@code overloaded}, {@code deadline} or {@code failed}. */
    public void shed(String reason) {
        shedCounter(reason).increment();
    }

    /** Registers the served version's info gauge the first time it is served. */
    public void served() {
        models.current().map(LoadedModel::version).ifPresent(v -> {
            if (versions.add(v)) {
                Gauge.builder("faces.generator.served.info", models,
                                m -> m.current().map(LoadedModel::version).map(v::equals).orElse(false) ? 1 : 0)
                        .description("1 for the version being served").tag("version", v).register(registry);
            }
        });
    }
}
