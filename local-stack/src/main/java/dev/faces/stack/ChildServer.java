package dev.faces.stack;

/** A server run as a child JVM: what drills and shutdown need, whatever the server is. */
abstract class ChildServer implements AutoCloseable {
    protected ChildJvm process;

    /** SIGKILL, for drills that prove recovery. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.kill();
        }
    }

    /** Sends a signal by name: "STOP" makes the server unreachable with its connections open, "CONT" wakes it. */
    public void signal(String name) throws java.io.IOException, InterruptedException {
        if (process == null) {
            throw new IllegalStateException("kill -" + name + ": not started");
        }
        process.signal(name);
    }

    /** The server's process id, for a signal sent from code that cannot reach this object. */
    public long pid() {
        if (process == null) {
            throw new IllegalStateException("not started");
        }
        return process.pid();
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** SIGTERM, then SIGKILL if the server has not stopped in time. */
    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
    }
}
