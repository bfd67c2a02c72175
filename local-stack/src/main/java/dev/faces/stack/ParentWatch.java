package dev.faces.stack;

import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Entry point of every child JVM: runs the real main class, and exits when the parent process is gone,
 * so a killed test run or launcher never leaves a broker or S3 server behind. Exiting (not halting)
 * runs the child's own shutdown hooks, so Kafka still closes its logs cleanly.
 */
public final class ParentWatch {
    public static final String PARENT_PID = "localstack.parent.pid";

    private ParentWatch() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: ParentWatch <main class> [args...]");
        }
        String pid = System.getProperty(PARENT_PID);
        if (pid != null) {
            ProcessHandle.of(Long.parseLong(pid)).ifPresentOrElse(parent -> {
                Thread watcher = new Thread(() -> {
                    parent.onExit().join();
                    System.err.println("parent process " + pid + " is gone; shutting down");
                    System.exit(0);
                }, "parent-watch");
                watcher.setDaemon(true);
                watcher.start();
            }, () -> System.exit(0));
        }
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    }
}
