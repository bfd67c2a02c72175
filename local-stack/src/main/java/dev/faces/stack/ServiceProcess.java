package dev.faces.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One of the pipeline's packaged Quarkus services ({@code target/quarkus-app/quarkus-run.jar}) as a child
 * process with its output in a log file. It exits with its parent, can be stopped (SIGTERM: the service
 * finishes what it is doing), killed (SIGKILL, for drills) and started again on the same port.
 */
public final class ServiceProcess implements AutoCloseable {
    /** The three services, their modules and default ports (DESIGN §6) and heap sizes. */
    public enum Service {
        INGEST("ingest-service", 8081, List.of("-Xmx1g")),
        TRAINER("trainer-service", 8082, List.of("-Xmx2g")),
        // The generator's fast matrix product needs the JDK's Vector API module.
        GENERATOR("generator-service", 8080, List.of("-Xmx768m", "--add-modules", "jdk.incubator.vector"));

        public final String module;
        public final int defaultPort;
        final List<String> jvmArgs;

        Service(String module, int defaultPort, List<String> jvmArgs) {
            this.module = module;
            this.defaultPort = defaultPort;
            this.jvmArgs = jvmArgs;
        }

        /** The packaged application of this service in a checkout at {@code root}. */
        public Path jar(Path root) {
            return root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        }
    }

    private final Service service;
    private final Path jar;
    private final int port;
    private final Map<String, String> env;
    private final Path log;
    private final List<String> extraJvmArgs;
    private ChildJvm process;

    private ServiceProcess(Service service, Path jar, int port, Map<String, String> env, Path log,
                           List<String> extraJvmArgs) {
        this.service = service;
        this.jar = jar;
        this.port = port;
        this.env = env;
        this.log = log;
        this.extraJvmArgs = List.copyOf(extraJvmArgs);
    }

    /** Starts the service with an empty log (a restart with {@link #start()} appends to it); {@link #awaitUp} waits. */
    public static ServiceProcess start(Service service, Path jar, int port, Map<String, String> env, Path log) {
        return start(service, jar, port, env, log, List.of());
    }

    /** As {@link #start(Service, Path, int, Map, Path)}, with JVM options after the service's own (-Xmx384m, say). */
    public static ServiceProcess start(Service service, Path jar, int port, Map<String, String> env, Path log,
                                       List<String> extraJvmArgs) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(service.module + " is not packaged: " + jar
                    + " is missing (build it with: mvn -DskipTests package)");
        }
        try {
            Files.deleteIfExists(log); // a new process's log: what an earlier test run left must not answer for it
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot clear " + log, e);
        }
        return new ServiceProcess(service, jar, port, Map.copyOf(env), log, extraJvmArgs).start();
    }

    /** The development defaults of the secrets each service needs (README, "Development credentials"). */
    public static final Map<String, String> DEV_SECRETS = Map.of("ADMIN_TOKEN", "dev-admin-token",
            "S3_ACCESS_KEY", S3Server.DEV_ACCESS_KEY, "S3_SECRET_KEY", S3Server.DEV_SECRET_KEY);

    /** Starts the process again after {@link #stop()} or {@link #kill()}, with the same settings. */
    public synchronized ServiceProcess start() {
        if (isRunning()) {
            throw new IllegalStateException(service.module + " is already running");
        }
        Ports.requireFree(port, service.module, "Stop whatever uses it, or choose another port.");
        List<String> jvm = new ArrayList<>(service.jvmArgs);
        jvm.addAll(List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED"));
        jvm.addAll(extraJvmArgs);
        Map<String, String> childEnv = new java.util.HashMap<>(env);
        childEnv.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        // The packaged services run their prod profile, which has no secret defaults; the local stack is the
        // development environment, so it passes the documented development values unless given others.
        DEV_SECRETS.forEach((name, value) -> {
            if (!childEnv.containsKey(name) && System.getenv(name) == null) {
                childEnv.put(name, value);
            }
        });
        process = ChildJvm.start(service.module, jar.toAbsolutePath().toString(), jvm,
                "io.quarkus.bootstrap.runner.QuarkusEntryPoint", List.of(), childEnv, log);
        return this;
    }

    /** Waits until the service answers its liveness check; fails with the log's tail if it exits first. */
    public ServiceProcess awaitUp(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!isRunning()) {
                throw new IllegalStateException(service.module + " exited during start-up (code " + exitCode()
                        + "); last lines of " + log + ":\n" + tail(30));
            }
            if (status("/q/health/live") == 200) {
                return this;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(service.module + " did not answer within " + timeout.toSeconds()
                        + " s; last lines of " + log + ":\n" + tail(30));
            }
            Thread.sleep(200);
        }
    }

    /** The HTTP status of a GET, or -1 when the service does not answer. */
    public int status(String path) {
        return JsonHttp.get(url() + path).status();
    }

    public String url() {
        return "http://localhost:" + port;
    }

    public int port() {
        return port;
    }

    public Service service() {
        return service;
    }

    public Path log() {
        return log;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The exit code of the last run, or null while it runs. */
    public synchronized Integer exitCode() {
        return process == null ? null : process.exitCode();
    }

    public String tail(int lines) {
        return process == null ? "" : process.tail(lines);
    }

    /** SIGKILL: nothing is saved, as in a crash. */
    public synchronized void kill() throws InterruptedException {
        if (process != null) {
            process.kill();
        }
    }

    /** Sends a signal by name ("STOP" freezes the process as a stalled node would, "CONT" wakes it). */
    public void signal(String name) throws java.io.IOException, InterruptedException {
        ChildJvm p;
        synchronized (this) {
            p = process;
        }
        if (p == null) {
            throw new IllegalStateException("kill -" + name + ": not started");
        }
        p.signal(name);
    }

    /** SIGTERM, then SIGKILL after two minutes: enough for the trainer to finish its step and save. */
    public void stop() {
        ChildJvm p;
        synchronized (this) {
            p = process;
        }
        if (p != null) {
            p.stop(120);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
