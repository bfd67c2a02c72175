package dev.faces.stack;

import dev.faces.stack.ServiceProcess.Service;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The three packaged services as processes against one {@link LocalStack}: what {@code ./pipeline up} runs
 * and what the end-to-end tests and drills start.
 */
public final class PipelineServices implements AutoCloseable {

    /**
     * Where the jars are ({@code root}), where logs and the trainer's state go, which folders ingest may read,
     * the ports, and per-service extra environment (AUTO_TRAIN, ...).
     */
    public record Options(Path root, Path logs, Path trainerState, List<Path> ingestRoots, Map<Service, Integer> ports,
                          Map<Service, Map<String, String>> extraEnv) {

        public int port(Service s) {
            return ports.getOrDefault(s, s.defaultPort);
        }
    }

    private final Map<Service, ServiceProcess> processes;

    private PipelineServices(Map<Service, ServiceProcess> processes) {
        this.processes = processes;
    }

    /** Starts all three at once (they boot in parallel) and waits until each answers. */
    public static PipelineServices start(LocalStack stack, Options options, Duration timeout) throws InterruptedException {
        Map<Service, ServiceProcess> started = new EnumMap<>(Service.class);
        PipelineServices services = new PipelineServices(started);
        try {
            for (Service s : Service.values()) {
                started.put(s, ServiceProcess.start(s, s.jar(options.root()), options.port(s), env(stack, options, s),
                        options.logs().resolve(s.module + ".log")));
            }
            for (ServiceProcess p : started.values()) {
                p.awaitUp(timeout);
            }
            return services;
        } catch (RuntimeException | InterruptedException e) {
            services.close();
            throw e;
        }
    }

    static Map<String, String> env(LocalStack stack, Options options, Service service) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers());
        env.put("S3_ENDPOINT", stack.s3Endpoint());
        env.put("S3_ACCESS_KEY", stack.accessKey());
        env.put("S3_SECRET_KEY", stack.secretKey());
        switch (service) {
            case INGEST -> env.put("INGEST_ALLOWED_ROOTS", options.ingestRoots().stream()
                    .map(p -> p.toAbsolutePath().toString()).collect(Collectors.joining(",")));
            case TRAINER -> env.put("TRAINER_STATE_DIR", options.trainerState().toAbsolutePath().toString());
            case GENERATOR -> { }
        }
        env.putAll(options.extraEnv().getOrDefault(service, Map.of()));
        return env;
    }

    /** The three, in start order. */
    public List<ServiceProcess> all() {
        return List.copyOf(processes.values());
    }

    public ServiceProcess ingest() {
        return processes.get(Service.INGEST);
    }

    public ServiceProcess trainer() {
        return processes.get(Service.TRAINER);
    }

    public ServiceProcess generator() {
        return processes.get(Service.GENERATOR);
    }

    /** Stops all three at once (SIGTERM): the trainer finishes its step while the others stop. */
    @Override
    public void close() {
        List<Thread> stops = processes.values().stream().map(p -> new Thread(p::stop, "stop-" + p.service().module))
                .toList();
        stops.forEach(Thread::start);
        for (Thread t : stops) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
