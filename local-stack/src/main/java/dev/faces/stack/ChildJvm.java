package dev.faces.stack;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** A Java program run as a child process with its output in a log file, stopped gracefully, then forcibly. */
final class ChildJvm implements AutoCloseable {
    private static final Properties BUILD = loadBuildProperties();
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private final String name;
    private final Process process;
    private final Path log;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code mainClass} on {@code classpath} (local-stack's own classes are added for ParentWatch). */
    static ChildJvm start(String name, String classpath, List<String> jvmArgs, String mainClass, List<String> args,
                          Path log) {
        return start(name, classpath, jvmArgs, mainClass, args, Map.of(), log);
    }

    /** As above, with extra environment variables for the child. */
    static ChildJvm start(String name, String classpath, List<String> jvmArgs, String mainClass, List<String> args,
                          Map<String, String> env, Path log) {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            // Its own session: Ctrl-C reaches only the launcher, which then stops its children in order.
            cmd.add(SETSID.toString());
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-D" + ParentWatch.PARENT_PID + "=" + ProcessHandle.current().pid());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(ownClasses() + File.pathSeparator + classpath);
        cmd.add(ParentWatch.class.getName());
        cmd.add(mainClass);
        cmd.addAll(args);
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(env);
            Process p = builder.start();
            return new ChildJvm(name, p, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    static String buildProperty(String key) {
        String value = BUILD.getProperty(key);
        if (value == null || value.isBlank() || value.contains("${")) {
            throw new IllegalStateException("local-stack.properties has no " + key + ": rebuild local-stack with Maven");
        }
        return value;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " did not finish within " + seconds + " s; see " + log);
        }
        return process.exitValue();
    }

    Path log() {
        return log;
    }

    long pid() {
        return process.pid();
    }

    /** Sends a signal by name ("STOP" freezes the process as a stalled node would, "CONT" wakes it). */
    void signal(String name) throws IOException, InterruptedException {
        if (new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start().waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + pid() + " failed");
        }
    }

    /** The last lines of the log, for error messages that explain why a child failed. */
    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM, so the child shuts down cleanly; SIGKILL if it has not stopped in time. */
    @Override
    public void close() {
        stop(30);
    }

    /** SIGTERM, then SIGKILL after {@code graceSeconds}. */
    void stop(int graceSeconds) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** SIGKILL: for drills that prove recovery. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** The exit code, or null while the child runs. */
    Integer exitCode() {
        return process.isAlive() ? null : process.exitValue();
    }

    private static String ownClasses() {
        try {
            var source = ParentWatch.class.getProtectionDomain().getCodeSource();
            if (source != null && "file".equals(source.getLocation().getProtocol())) {
                return Path.of(source.getLocation().toURI()).toString();
            }
        } catch (URISyntaxException | SecurityException ignored) {
            // fall through to the build's own output folder
        }
        return buildProperty("local-stack.classes");
    }

    private static Properties loadBuildProperties() {
        Properties p = new Properties();
        try (var in = ChildJvm.class.getResourceAsStream("local-stack.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
