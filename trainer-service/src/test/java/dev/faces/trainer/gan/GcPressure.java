package dev.faces.trainer.gan;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Garbage collections on demand or from a thread, with freed native memory refilled by NaN bit patterns. */
final class GcPressure implements AutoCloseable {
    private final Thread thread;
    private volatile boolean running = true;

    private GcPressure() {
        thread = new Thread(() -> {
            while (running) {
                System.gc();
                fillFreedNativeMemory();
                // Collections back to back stop the training thread almost all the time (221 s for six steps on
                // two loaded cores); every step still sees dozens of them with a pause between.
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "gc-pressure");
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts a thread that collects garbage back to back until closed. */
    static GcPressure start() {
        return new GcPressure();
    }

    /** Allocates small direct buffers filled with 0xFF (a NaN in float32), so reused memory is not stale zeros. */
    static void fillFreedNativeMemory() {
        List<ByteBuffer> buffers = new ArrayList<>();
        for (int size : new int[] {4, 8, 16, 64, 256, 4096}) {
            for (int i = 0; i < 8; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(size);
                while (b.hasRemaining()) {
                    b.put((byte) 0xFF);
                }
                buffers.add(b);
            }
        }
        buffers.clear();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join();
    }
}
