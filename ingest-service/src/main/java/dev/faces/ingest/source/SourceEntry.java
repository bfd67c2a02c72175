package dev.faces.ingest.source;

import java.io.IOException;

/** One file of a CelebA source, in file-name order; its bytes are read on demand (bounded by the source). */
public interface SourceEntry {
    String name();

    byte[] read() throws IOException;
}
