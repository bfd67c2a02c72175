package dev.faces.ingest.source;

import java.io.IOException;
import java.util.List;

/** CelebA as it is distributed: image entries in file-name order, plus the files that had to be refused. */
public interface ImageSource extends AutoCloseable {
    /** Entries to preprocess, in file-name order (after the partition filter). */
    List<SourceEntry> entries() throws IOException;

    /** Entries refused before decoding (unsafe names, bombs, listed but missing), with reasons. */
    List<Rejection> refused();

    /** A short description of where the images came from, for the manifest. */
    String describe();

    @Override
    void close() throws IOException;

    record Rejection(String file, String reason) {
    }
}
