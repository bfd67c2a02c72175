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
