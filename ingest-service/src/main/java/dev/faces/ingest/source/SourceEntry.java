package dev.faces.ingest.source;

import java.io.IOException;

/** One file of a CelebA source, in file-name order; its bytes are read on demand (bounded by the source). */
public interface SourceEntry {
    String name();

    byte[] read() throws IOException;

    /** Reads the bytes of one entry. */
    @FunctionalInterface
    interface Reader {
        byte[] read() throws IOException;
    }

    static SourceEntry of(String name, Reader reader) {
        return new SourceEntry() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public byte[] read() throws IOException {
                return reader.read();
            }
        };
    }
}
