package dev.faces.ingest.job;

import dev.faces.ingest.preprocess.ImageDecoder;
import dev.faces.ingest.preprocess.Preprocessor;
import dev.faces.ingest.source.SourceEntry;
import java.io.IOException;
import java.util.List;

/**
 * A run of consecutive source files preprocessed by one worker task, into one array: image {@code i} is at
 * {@code i * IMAGE_BYTES} unless {@code rejections[i]} says why it was rejected. A task per file cost a future, a
 * hand-off between threads and an array per image, which came to about a tenth of the ingest's time.
 */
record PreprocessedChunk(String[] files, byte[] pixels, String[] rejections) {
    /** Small enough that the array stays out of the GC's humongous objects (393 KB), large enough to amortise. */
    static final int FILES = 32;

    static PreprocessedChunk of(List<SourceEntry> entries) {
        int n = entries.size();
        String[] files = new String[n];
        String[] rejections = new String[n];
        byte[] pixels = new byte[n * Preprocessor.IMAGE_BYTES];
        for (int i = 0; i < n; i++) {
            SourceEntry entry = entries.get(i);
            files[i] = entry.name();
            try {
                Preprocessor.tutorialPixels(entry.read(), pixels, i * Preprocessor.IMAGE_BYTES);
            } catch (ImageDecoder.RejectedImageException e) {
                rejections[i] = e.getMessage();
            } catch (IOException e) {
                rejections[i] = "cannot read: " + e.getMessage();
            }
        }
        return new PreprocessedChunk(files, pixels, rejections);
    }

    int size() {
        return files.length;
    }
}
