package dev.vigil.score;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Finds the model version to load: a directory holding {@code model.json} is itself the version;
 * otherwise, when it holds a file {@code CURRENT}, the version subdirectory that file names (one line);
 * otherwise its newest version subdirectory (by name, versions being date-stamped).
 */
public final class ModelDirectory {
    public static final String CARD = "model.json";
    /** A one-line file naming the version subdirectory to use, for a rollback to an older version. */
    public static final String POINTER = "CURRENT";

    private ModelDirectory() {}

    public static Path resolve(Path dir) {
        if (Files.isRegularFile(dir.resolve(CARD))) return dir;
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("model directory " + dir + " does not exist; train one with: ./vigil model train");
        }
        Path pointer = dir.resolve(POINTER);
        if (Files.isRegularFile(pointer)) {
            String name;
            try {
                name = Files.readString(pointer).trim();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + pointer, e);
            }
            Path version = dir.resolve(name).normalize();
            if (name.isEmpty() || !version.getParent().equals(dir.normalize()) || !Files.isRegularFile(version.resolve(CARD))) {
                throw new IllegalArgumentException(pointer + " names '" + name + "', which is not a version folder (with "
                        + CARD + ") of " + dir);
            }
            return version;
        }
        try (Stream<Path> children = Files.list(dir)) {
            return children
                    .filter(p -> Files.isRegularFile(p.resolve(CARD)))
                    .max(Comparator.comparing(p -> p.getFileName().toString()))
                    .orElseThrow(() -> new IllegalArgumentException(
                            "no model version (a folder with " + CARD + ") in " + dir + "; train one with: ./vigil model train"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
