package dev.faces.ingest.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Which local folders and zips a job may read: only under the allowed roots, symlinks resolved. */
final class LocalSources {
    private final List<Path> allowedRoots;

    LocalSources(List<Path> allowedRoots) {
        this.allowedRoots = allowedRoots.stream().map(LocalSources::realOrNormal).toList();
    }

    /** The source's real path (symlinks resolved), which must lie under a real allowed root. */
    Path allowedPath(String source) {
        Path given = Path.of(source).toAbsolutePath().normalize();
        if (!Files.exists(given)) {
            throw new IllegalArgumentException("source " + source + " does not exist");
        }
        Path path = realOrNormal(given);
        if (allowedRoots.stream().noneMatch(path::startsWith)) {
            throw new IllegalArgumentException("source " + source + (path.equals(given) ? "" : " (really " + path + ")")
                    + " is outside the allowed roots " + allowedRoots + " (config faces.ingest.allowed-roots)");
        }
        if (!Files.isDirectory(path) && !path.toString().endsWith(".zip")) {
            throw new IllegalArgumentException("source " + source + " is neither a folder nor a .zip file");
        }
        return path;
    }

    private static Path realOrNormal(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        try {
            return abs.toRealPath();
        } catch (IOException notThere) {
            return abs;
        }
    }

    static String defaultId(String source) {
        String name = source.replaceAll("/+$", "");
        name = name.substring(name.lastIndexOf('/') + 1).replaceAll("\\.zip$", "").replaceAll("[^A-Za-z0-9._-]", "-");
        return name.isEmpty() || !Character.isLetterOrDigit(name.charAt(0)) ? "dataset" : name;
    }
}
