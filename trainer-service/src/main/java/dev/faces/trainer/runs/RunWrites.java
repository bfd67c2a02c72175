package dev.faces.trainer.runs;

/** Where a run's objects go: every write and delete under {@code <runId>/} goes through its owner's lease. */
public interface RunWrites {
    void put(String key, byte[] data, String contentType);

    void delete(String key);

    /** Unfenced writes, for tests of the writers alone and for tools. */
    static RunWrites unfenced(dev.faces.core.ObjectStore store, String bucket) {
        return new RunWrites() {
            @Override
            public void put(String key, byte[] data, String contentType) {
                store.put(bucket, key, data, contentType);
            }

            @Override
            public void delete(String key) {
                store.delete(bucket, key);
            }
        };
    }
}
