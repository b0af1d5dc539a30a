package dev.vigil.cli;

import dev.vigil.feature.Features;
import dev.vigil.feature.Label;
import dev.vigil.feature.RedisFeatureStore;
import dev.vigil.infra.EmbeddedRedisServer;
import dev.vigil.score.ColumnMapping;
import dev.vigil.score.HistoryReplay;
import dev.vigil.score.TrainingOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;

/** Replays a labelled CSV history through the real Redis feature engine, for training and evaluation. */
final class Histories {
    private Histories() {}

    /**
     * The replayed history: from {@code cache} when it was written for the same data, mapping, features and
     * delay; else replayed on an embedded Redis in a scratch folder (and written to {@code cache} if given).
     */
    static HistoryReplay.Result replay(Path data, Path mappingFile, Duration labelDelay, Path cache) {
        ColumnMapping mapping = ColumnMapping.load(mappingFile);
        String key = cacheKey(data, mappingFile, labelDelay);
        if (cache != null) {
            HistoryReplay.Result cached = HistoryReplay.Result.read(cache, key);
            if (cached != null) {
                System.out.printf("Replayed features read from %s (%,d rows)%n", cache, cached.rows().size());
                return cached;
            }
        }
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory("vigil-replay-redis");
            HistoryReplay.Result result;
            try (EmbeddedRedisServer redis = EmbeddedRedisServer.start(scratch, 0);
                 RedisFeatureStore store = new RedisFeatureStore(redis.host(), redis.port());
                 ProgressBar bar = new ProgressBar("Replaying " + data.getFileName() + " (bytes)", Files.size(data))) {
                // Each fraud label reaches the store once known (the store also refuses a label from an event's
                // future by its knownAt). Only FRAUD labels: the label features count confirmed fraud, and
                // sending every legitimate label would cost a round trip per transaction for nothing.
                result = HistoryReplay.replay(data, mapping, store, labelDelay, Features.NAMES, label -> {
                    if (label.fraud()) {
                        store.applyLabel(new Label(label.event().transactionId(), Label.Kind.FRAUD, "history", label.knownAt()));
                    }
                }, bar::stepTo);
            }
            if (cache != null) result.write(cache, key);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(scratch);
        }
    }

    /** Training options for a replayed history: deeper trees than the demo's, stopping on AUC-PR. */
    static TrainingOptions options(int threads) {
        return new TrainingOptions(null, null, 0.2, 6, 0.1, 400, 30, TrainingOptions.StoppingMetric.AUCPR,
                0.001, threads, 42);
    }

    private static String cacheKey(Path data, Path mapping, Duration delay) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(Files.readAllBytes(mapping));
            String d = data.toAbsolutePath().normalize() + "|" + Files.size(data) + "|" + Files.getLastModifiedTime(data).toMillis();
            return HexFormat.of().formatHex(sha.digest()) + "|" + d + "|" + delay + "|" + String.join(",", Features.NAMES);
        } catch (Exception e) {
            throw new IllegalStateException("cannot fingerprint " + data + " and " + mapping, e);
        }
    }

    static void deleteQuietly(Path dir) {
        if (dir == null) return;
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a scratch folder left in the temp directory is harmless
        }
    }
}
