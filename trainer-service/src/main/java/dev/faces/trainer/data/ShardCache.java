package dev.faces.trainer.data;

import dev.faces.core.Digests;
import dev.faces.core.ObjectStore;
import dev.faces.core.events.DatasetBatch;
import dev.faces.core.tensor.Npy;
import dev.faces.core.tensor.NpyArray;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Shards fetched from S3 into a local folder bounded in bytes (least recently used go first). Every shard's
 * SHA-256 is checked against its event before it is trusted, on download and on every read from disk.
 */
public final class ShardCache {
    private final ObjectStore store;
    private final String bucket;
    private final Path dir;
    private final long maxBytes;

    public ShardCache(ObjectStore store, String bucket, Path dir, long maxBytes) {
        this.store = store;
        this.bucket = bucket;
        this.dir = dir;
        this.maxBytes = maxBytes;
    }

    /** A shard whose bytes do not match its announced digest or shape. */
    public static final class CorruptShardException extends RuntimeException {
        public CorruptShardException(String message) {
            super(message);
        }
    }

    /** The shard's pixels, uint8 [N, 3, 64, 64]. */
    public NpyArray load(DatasetBatch shard) {
        Path file = dir.resolve(shard.datasetId()).resolve(String.format("shard-%06d-%s.npy", shard.shardIndex(),
                shard.sha256().substring(0, 12)));
        byte[] bytes = null;
        if (Files.exists(file)) {
            try {
                bytes = Files.readAllBytes(file);
                Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
            } catch (IOException e) {
                bytes = null;
            }
            if (bytes != null && !Digests.sha256(bytes).equals(shard.sha256())) {
                bytes = null; // a damaged cache file: fetch again
            }
        }
        if (bytes == null) {
            bytes = store.get(bucket, shard.objectKey()).orElseThrow(() -> new CorruptShardException(
                    "shard " + shard.objectKey() + " is missing from s3://" + bucket));
            String actual = Digests.sha256(bytes);
            if (!actual.equals(shard.sha256())) {
                throw new CorruptShardException("shard " + shard.objectKey() + " has sha256 " + actual
                        + " but its event announced " + shard.sha256());
            }
            write(file, bytes);
        }
        NpyArray array;
        try {
            array = Npy.read(bytes, NpyArray.DType.UINT8, -1, 3, shard.imageSize(), shard.imageSize());
        } catch (RuntimeException e) {
            throw new CorruptShardException("shard " + shard.objectKey() + " is not a uint8 [N,3,64,64] array: " + e.getMessage());
        }
        if (array.shape()[0] != shard.imageCount()) {
            throw new CorruptShardException("shard " + shard.objectKey() + " holds " + array.shape()[0]
                    + " images but its event announced " + shard.imageCount());
        }
        return array;
    }

    /** Best effort: a cache that cannot be written (a full disk, say) costs a download next time, nothing more. */
    private void write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            evictFor(bytes.length);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | UncheckedIOException e) {
            java.util.logging.Logger.getLogger(ShardCache.class.getName()).warning("cannot cache shard at " + file
                    + " (" + e.getMessage() + "); it is read from S3 again when needed");
        }
    }

    private synchronized void evictFor(long incoming) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(p -> p.toString().endsWith(".npy")).sorted(Comparator.comparingLong(ShardCache::modified)).toList();
        }
        long total = incoming;
        for (Path p : files) {
            total += Files.size(p);
        }
        for (Path p : files) {
            if (total <= maxBytes) {
                break;
            }
            total -= Files.size(p);
            Files.deleteIfExists(p);
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
