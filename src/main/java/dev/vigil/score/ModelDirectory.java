package dev.vigil.score;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Finds the model version to load: a directory holding {@code model.json} is itself the version;
 * otherwise its newest version subdirectory (by name, versions being date-stamped) is.
 */
public final class ModelDirectory {
    public static final String CARD = "model.json";

    private ModelDirectory() {}

    public static Path resolve(Path dir) {
        if (Files.isRegularFile(dir.resolve(CARD))) return dir;
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("model directory " + dir + " does not exist; train one with: ./vigil model train");
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
