package dev.faces.ingest.job;

import dev.faces.core.ObjectStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * An {@code s3://bucket/key.zip} source. Its bucket must be one the service is configured to read; its identity
 * is bucket, key, size and ETag, so re-running the same object is recognised. It is streamed to a local file,
 * its size checked before the download, and never held in memory.
 */
record S3Source(String bucket, String key) {

    static S3Source parse(String uri, List<String> allowedBuckets) {
        String rest = uri.substring("s3://".length());
        int slash = rest.indexOf('/');
        if (slash < 1 || slash == rest.length() - 1 || rest.contains("..")) {
            throw new IllegalArgumentException("s3 sources look like s3://bucket/key.zip, was " + uri);
        }
        String bucket = rest.substring(0, slash);
        if (!allowedBuckets.contains(bucket)) {
            throw new IllegalArgumentException("bucket '" + bucket + "' is not one ingest may read from " + allowedBuckets
                    + " (config faces.ingest.allowed-buckets)");
        }
        String key = rest.substring(slash + 1);
        if (!key.endsWith(".zip")) {
            throw new IllegalArgumentException("an s3 source is a .zip object, was " + uri);
        }
        return new S3Source(bucket, key);
    }

    /** Downloads the object to {@code target} and returns its identity, as the manifest records it. */
    String fetch(ObjectStore store, Path target, long maxBytes) throws IOException {
        ObjectStore.Stat stat = store.stat(bucket, key).orElseThrow(() ->
                new IOException("s3://" + bucket + "/" + key + " does not exist"));
        if (stat.size() > maxBytes) {
            throw new IllegalArgumentException("s3://" + bucket + "/" + key + " is " + stat.size()
                    + " bytes, more than the " + maxBytes + " allowed (config faces.ingest.max-zip-bytes)");
        }
        store.download(bucket, key, target, maxBytes);
        return "s3://" + bucket + "/" + key + " (" + stat.size() + " bytes, etag " + stat.etag() + ")";
    }
}
