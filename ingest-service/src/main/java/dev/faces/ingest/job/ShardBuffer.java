package dev.faces.ingest.job;

import dev.faces.core.Digests;
import dev.faces.core.tensor.Npy;
import dev.faces.core.tensor.NpyArray;
import dev.faces.ingest.preprocess.Preprocessor;
import dev.faces.ingest.preprocess.TutorialTransform;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One shard being filled in file order: its .npy bytes, header first, with each image copied straight behind
 * the ones before it, and the names of its files. A full shard's buffer is its object as it is, so a shard is
 * neither assembled from per-image arrays nor copied again to be encoded. Its SHA-256 is taken as the images
 * arrive, while they are in the cache (hashing the finished 12 MB shard ran at two thirds of the speed). Its
 * array comes from a {@link Pool} and goes back to it once the shard is in S3, so that an ingest allocates (and
 * zeroes) a handful of 12 MB arrays rather than one per shard.
 */
final class ShardBuffer {
    private static final int IMAGE = Preprocessor.IMAGE_BYTES;
    private static final int SIDE = TutorialTransform.SIZE;

    private final int capacity;
    private final int headerBytes;
    private final List<String> files = new ArrayList<>();
    private final MessageDigest digest = Digests.sha256Digest();
    private final Pool pool;
    private byte[] npy;
    /** The .npy of a shard that ended short of its capacity. */
    private byte[] shorter;

    /** The arrays of one ingest's shards, reused once written. */
    static final class Pool {
        private final ConcurrentLinkedQueue<byte[]> free = new ConcurrentLinkedQueue<>();

        private byte[] take(int length) {
            byte[] b = free.poll();
            return b != null && b.length == length ? b : new byte[length];
        }
    }

    ShardBuffer(int capacity) {
        this(capacity, new Pool());
    }

    ShardBuffer(int capacity, Pool pool) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a shard holds at least one image, not " + capacity);
        }
        this.capacity = capacity;
        this.pool = pool;
        byte[] header = header(capacity);
        this.headerBytes = header.length;
        digest.update(header);
    }

    void add(String file, byte[] pixels, int offset) {
        if (isFull()) {
            throw new IllegalStateException("the shard already holds " + capacity + " images");
        }
        if (npy == null) {
            npy = pool.take(headerBytes + capacity * IMAGE);
        }
        int at = headerBytes + files.size() * IMAGE;
        System.arraycopy(pixels, offset, npy, at, IMAGE);
        digest.update(npy, at, IMAGE);
        files.add(file);
    }

    int count() {
        return files.size();
    }

    boolean isEmpty() {
        return files.isEmpty();
    }

    boolean isFull() {
        return files.size() == capacity;
    }

    List<String> files() {
        return List.copyOf(files);
    }

    /**
     * The shard's .npy file: uint8 [count, 3, 64, 64]. A full shard's is its buffer, whose header was written for
     * this count; a shorter last shard's is a copy behind a header of its own count, made once.
     */
    byte[] npy() {
        if (isEmpty()) {
            throw new IllegalStateException("an empty shard is not written");
        }
        if (isFull()) {
            System.arraycopy(header(capacity), 0, npy, 0, headerBytes);
            return npy;
        }
        if (shorter == null) {
            byte[] header = header(count());
            shorter = java.util.Arrays.copyOf(header, header.length + count() * IMAGE);
            System.arraycopy(npy, headerBytes, shorter, header.length, count() * IMAGE);
        }
        return shorter;
    }

    /** Gives the array back to the pool: the shard is written, and neither it nor {@link #npy()} is read again. */
    void release() {
        if (npy != null) {
            pool.free.add(npy);
            npy = null;
        }
    }

    /** The SHA-256 (hex) of {@link #npy()}; called once, when the shard is complete. */
    String sha256() {
        return isFull() ? java.util.HexFormat.of().formatHex(digest.digest()) : Digests.sha256(npy());
    }

    private static byte[] header(int count) {
        return Npy.header(NpyArray.DType.UINT8, count, 3, SIDE, SIDE);
    }
}
