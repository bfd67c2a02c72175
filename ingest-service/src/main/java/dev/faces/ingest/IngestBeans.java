package dev.faces.ingest;

import dev.faces.core.ObjectStore;
import dev.faces.ingest.job.IngestJobs;
import dev.faces.ingest.preprocess.ImageDecoder;
import dev.faces.ingest.job.IngestProgress;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import dev.faces.ingest.messaging.DatasetEvents;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Wires the plain ingest classes. */
@ApplicationScoped
public class IngestBeans {

    @Produces
    @Singleton
    IngestJobs jobs(IngestConfig config, ObjectStore store, DatasetEvents events, MeterRegistry meters,
                    @ConfigProperty(name = "faces.buckets.datasets") String bucket) {
        int threads = config.threads() > 0 ? config.threads() : Runtime.getRuntime().availableProcessors();
        IngestJobs jobs = new IngestJobs(store, bucket, events, config.allowedRoots().stream().map(Path::of).toList(),
                config.allowedBuckets(), config.shardSize(), config.maxFileBytes(), config.maxZipBytes(), threads);
        // The newest job's progress, as Prometheus gauges.
        Gauge.builder("faces.ingest.images.processed", jobs, j -> latest(j, IngestProgress::processed))
                .description("Files processed by the newest ingest job").register(meters);
        Gauge.builder("faces.ingest.images.rejected", jobs, j -> latest(j, IngestProgress::rejected))
                .description("Files rejected by the newest ingest job").register(meters);
        Gauge.builder("faces.ingest.images.per.second", jobs, j -> latest(j, IngestProgress::imagesPerSecond))
                .description("Rate of the newest ingest job").register(meters);
        Gauge.builder("faces.ingest.shards.written", jobs, j -> latest(j, IngestProgress::shards))
                .description("Shards written by the newest ingest job").register(meters);
        Gauge.builder("faces.ingest.jpeg.decoder.info", () -> 1)
                .tag("decoder", ImageDecoder.jpegDecoder().startsWith("libjpeg-turbo") ? "libjpeg-turbo" : "imageio")
                .description("The JPEG decoder in use (1): libjpeg-turbo through JNI, or ImageIO").register(meters);
        return jobs;
    }

    private static double latest(IngestJobs jobs, java.util.function.ToDoubleFunction<IngestProgress> metric) {
        return jobs.list().stream().findFirst().map(j -> metric.applyAsDouble(j.progress())).orElse(0.0);
    }

    /** An ingest that a crash or a stop interrupted resumes on start, without anyone asking. */
    void resumeOnStart(@Observes StartupEvent start, IngestJobs jobs) {
        ImageDecoder.logDecoder();
        jobs.resumeInterrupted();
    }

    void close(@Disposes IngestJobs jobs) {
        jobs.close();
    }
}
