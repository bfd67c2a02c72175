package dev.faces.core;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The pipeline's view of S3 (MinIO, S3Proxy, AWS): whole-object reads and writes, listings, existence.
 * Failures surface as {@link StorageException} with the bucket and key in the message.
 */
public final class ObjectStore {
    private final MinioClient client;
    private final String endpoint;

    public ObjectStore(String endpoint, String accessKey, String secretKey, String region) {
        this.endpoint = endpoint;
        this.client = MinioClient.builder().endpoint(endpoint).credentials(accessKey, secretKey).region(region).build();
    }

    public String endpoint() {
        return endpoint;
    }

    public void put(String bucket, String key, byte[] data, String contentType) {
        call("put", bucket, key, () -> client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                .stream(new ByteArrayInputStream(data), data.length, -1).contentType(contentType).build()));
    }

    /** The object's bytes, or empty when it does not exist. */
    public Optional<byte[]> get(String bucket, String key) {
        return call("get", bucket, key, () -> {
            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
                return Optional.of(in.readAllBytes());
            } catch (ErrorResponseException e) {
                if (isNotFound(e)) {
                    return Optional.<byte[]>empty();
                }
                throw e;
            }
        });
    }

    public boolean exists(String bucket, String key) {
        return call("stat", bucket, key, () -> {
            try {
                client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
                return true;
            } catch (ErrorResponseException e) {
                if (isNotFound(e)) {
                    return false;
                }
                throw e;
            }
        });
    }

    /** Keys under {@code prefix}, recursively, in lexicographic order. */
    public List<String> list(String bucket, String prefix) {
        return call("list", bucket, prefix, () -> {
            List<String> keys = new ArrayList<>();
            for (Result<Item> r : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix)
                    .recursive(true).build())) {
                Item item = r.get();
                if (!item.isDir()) {
                    keys.add(item.objectName());
                }
            }
            keys.sort(null);
            return keys;
        });
    }

    /** A key and when it was last written. */
    public record Listed(String key, java.time.Instant lastModified) {
    }

    /** Keys under {@code prefix} with their modification times, recursively. */
    public List<Listed> listWithTimes(String bucket, String prefix) {
        return call("list", bucket, prefix, () -> {
            List<Listed> out = new ArrayList<>();
            for (Result<Item> r : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix)
                    .recursive(true).build())) {
                Item item = r.get();
                if (!item.isDir()) {
                    out.add(new Listed(item.objectName(), item.lastModified().toInstant()));
                }
            }
            return out;
        });
    }

    public void delete(String bucket, String key) {
        call("delete", bucket, key, () -> client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build()));
    }

    /** Empty when every bucket exists; otherwise what is wrong, in words for a health check. */
    public Optional<String> checkBuckets(List<String> buckets) {
        List<String> missing = new ArrayList<>();
        for (String bucket : buckets) {
            try {
                if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                    missing.add(bucket);
                }
            } catch (Exception e) {
                return Optional.of("S3 at " + endpoint + " is not reachable: " + e.getMessage());
            }
        }
        return missing.isEmpty() ? Optional.empty()
                : Optional.of("bucket(s) " + String.join(", ", missing) + " missing at " + endpoint);
    }

    private static boolean isNotFound(ErrorResponseException e) {
        String code = e.errorResponse().code();
        return "NoSuchKey".equals(code) || "NoSuchObject".equals(code) || e.response().code() == 404;
    }

    private interface S3Call<T> {
        T run() throws Exception;
    }

    private interface S3Action {
        void run() throws Exception;
    }

    private <T> T call(String op, String bucket, String key, S3Call<T> call) {
        try {
            return call.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new StorageException(op + " s3://" + bucket + "/" + key + " at " + endpoint + " failed: " + e.getMessage(), e);
        }
    }

    private void call(String op, String bucket, String key, S3Action action) {
        call(op, bucket, key, () -> {
            action.run();
            return null;
        });
    }

    /** An S3 operation failed; the message names the operation, the object and the endpoint. */
    public static final class StorageException extends RuntimeException {
        public StorageException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
