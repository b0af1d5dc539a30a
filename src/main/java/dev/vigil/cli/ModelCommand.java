package dev.vigil.cli;

import dev.vigil.event.TransactionEvent;
import dev.vigil.feature.Enrichment;
import dev.vigil.feature.Features;
import dev.vigil.feature.RedisFeatureStore;
import dev.vigil.infra.EmbeddedRedisServer;
import dev.vigil.simulate.SimulatedEvent;
import dev.vigil.simulate.SimulationConfig;
import dev.vigil.simulate.Simulator;
import dev.vigil.score.HistoryReplay;
import dev.vigil.score.ModelTrainer;
import dev.vigil.score.PrecisionRecallChart;
import dev.vigil.score.TrainedModel;
import dev.vigil.score.TrainingOptions;
import dev.vigil.score.TrainingRows;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Model life cycle: training, evaluation against the FDH protocol, champion against challenger. */
@Command(name = "model", description = "Train, evaluate and compare risk models.",
        subcommands = {ModelCommand.Train.class, ModelEvaluateCommand.class, ModelCompareCommand.class})
final class ModelCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /**
     * Trains on simulated, labelled history. Features come from replaying that history in event
     * time through the real Redis feature engine (an embedded Redis in a scratch folder), so training
     * sees exactly what live scoring will see.
     */
    @Command(name = "train", description = "Train an XGBoost model on labelled history (a CSV with --data and --mapping,"
            + " else simulated), replayed through the real feature engine.")
    static final class Train implements Runnable {
        @Option(names = "--data", description = "Labelled history, CSV or CSV.gz in event-time order. Without it, simulated history.")
        Path data;

        @Option(names = "--mapping", description = "Column mapping YAML for --data, e.g. models/mappings/fdh.yaml.")
        Path mapping;

        @Option(names = "--label-delay", defaultValue = "7d", description = "How long after a transaction its label is known."
                + " Labels reach features only then, and the newest rows whose labels are not yet known are not trained on. Default: ${DEFAULT-VALUE}.")
        java.time.Duration labelDelay;

        @Option(names = "--fp-budget", defaultValue = "0.001", description = "Share of legitimate validation transactions the REVIEW threshold may flag (--data only). Default: ${DEFAULT-VALUE}.")
        double fpBudget;

        @Option(names = "--cache", description = "Keep the replayed features in this file and reuse them while data, mapping and features are unchanged.")
        Path cache;

        @Option(names = "--threads", defaultValue = "2", description = "XGBoost training threads. Default: ${DEFAULT-VALUE}.")
        int threads;

        @picocli.CommandLine.Mixin
        HistoryTrainingFlags training;

        @Option(names = "--from-audit", description = "Train on the audit store's decisions (their feature snapshots) that have a label in --labels.")
        boolean fromAudit;

        @Option(names = "--labels", description = "With --from-audit: CSV transaction_id,label[,source,known_at].")
        Path labels;

        @Option(names = "--accounts", defaultValue = "3000", description = "Simulated accounts. Default: ${DEFAULT-VALUE}.")
        int accounts;

        @Option(names = "--transactions", defaultValue = "150000", description = "Simulated transactions. Default: ${DEFAULT-VALUE}.")
        int transactions;

        @Option(names = "--seed", defaultValue = "7", description = "Simulator seed (use another than the demo's). Default: ${DEFAULT-VALUE}.")
        long seed;

        @Option(names = "--out", defaultValue = "models/vigil-demo", description = "Model folder; the version is a subfolder. Default: ${DEFAULT-VALUE}.")
        Path out;

        @Option(names = "--version", description = "Version name. Default: demo-<UTC date and time>.")
        String version;

        @Override
        public void run() {
            if (data != null) {
                trainFromCsv();
                return;
            }
            if (fromAudit) {
                trainFromAudit();
                return;
            }
            String v = version != null ? version
                    : "demo-" + DateTimeFormatter.ofPattern("yyyy.MM.dd-HHmm").withZone(ZoneOffset.UTC).format(Instant.now());
            Path scratch = null;
            try {
                scratch = Files.createTempDirectory("vigil-train-redis");
                List<Features> rows = new ArrayList<>(transactions);
                List<Boolean> labels = new ArrayList<>(transactions);
                List<Instant> times = new ArrayList<>(transactions);
                try (EmbeddedRedisServer redis = EmbeddedRedisServer.start(scratch, 0);
                     RedisFeatureStore store = new RedisFeatureStore(redis.host(), redis.port());
                     ProgressBar bar = new ProgressBar("Replaying history", transactions)) {
                    Iterator<SimulatedEvent> events = new Simulator(SimulationConfig.defaults(
                            accounts, seed, Instant.parse("2025-01-01T00:00:00Z")));
                    List<TransactionEvent> batch = new ArrayList<>(500);
                    List<Boolean> batchLabels = new ArrayList<>(500);
                    int seen = 0;
                    while (seen < transactions) {
                        SimulatedEvent e = events.next();
                        if (e instanceof SimulatedEvent.Account a) {
                            flush(store, batch, batchLabels, rows, labels, times, bar);
                            store.apply(a.event());
                        } else if (e instanceof SimulatedEvent.Transaction t) {
                            batch.add(t.event());
                            batchLabels.add(t.label().suspicious());
                            seen++;
                            if (batch.size() == 500) flush(store, batch, batchLabels, rows, labels, times, bar);
                        }
                    }
                    flush(store, batch, batchLabels, rows, labels, times, bar);
                }
                System.out.printf("Training on %,d transactions (%,d suspicious)...%n",
                        rows.size(), labels.stream().filter(b -> b).count());
                TrainedModel model = ModelTrainer.train(rows, labels, times, TrainingOptions.defaults().withVersion(v));
                Path dir = out.resolve(v);
                model.writeTo(dir);
                var card = model.card();
                System.out.printf("Model %s: %d trees; validation (%,d rows, %,d suspicious): AUC ROC %.3f, average precision %.3f%n",
                        card.version(), card.rounds().bestIteration() + 1, card.validation().rows(), card.validation().fraudRows(),
                        card.validation().aucRoc(), card.validation().averagePrecision());
                System.out.printf("REVIEW threshold p >= %.3f flags %.2f%% of legitimate and %.1f%% of suspicious validation rows%n",
                        card.thresholds().review().probability(), 100 * card.thresholds().review().validationFalsePositiveRate(),
                        100 * card.thresholds().review().validationRecall());
                System.out.println("Model written to " + dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                deleteQuietly(scratch);
            }
        }

        /**
         * --from-audit: the feature snapshots the decisions recorded are exactly what live scoring saw, so
         * no replay is needed. --out is the version folder.
         */
        private void trainFromAudit() {
            if (labels == null) throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--from-audit needs --labels");
            try {
                ModelCompareCommand.Audited audited = ModelCompareCommand.readAudited(
                        dev.vigil.config.Settings.load(), ModelCompareCommand.readLabels(labels));
                System.out.printf("%,d audited decisions have a label%n", audited.rows().size());
                String v = version != null ? version : out.getFileName().toString();
                TrainingOptions options = training.options(threads).withFalsePositiveBudget(fpBudget).withVersion(v);
                TrainingRows rows = TrainingRows.of(audited.rows(), audited.labels(), audited.times());
                TrainedModel model = ModelTrainer.train(rows.project(training.featureChoice().apply(rows)), options);
                model.writeTo(out);
                PrecisionRecallChart.write(model.validation().probabilities(), model.validation().labels(),
                        model.card().thresholds().review().probability(), "Precision-recall on validation, model " + v,
                        out.resolve("pr-curve.png"));
                System.out.printf("Model %s written to %s: validation AUC ROC %.4f, average precision %.4f%n", v, out,
                        model.card().validation().aucRoc(), model.card().validation().averagePrecision());
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("cannot read the audit store: " + e.getMessage(), e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** --data: --out is the version folder, whose name is the version unless --version says otherwise. */
        private void trainFromCsv() {
            if (mapping == null) throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--data needs --mapping");
            HistoryReplay.Result history = Histories.replay(data, mapping, labelDelay, cache);
            TrainingRows all = history.rows();
            // Train only on rows whose labels are known by the end of the history.
            long last = all.eventTimeMillis()[all.size() - 1];
            long cut = last - labelDelay.toMillis();
            int[] known = java.util.stream.IntStream.range(0, all.size()).filter(i -> all.eventTimeMillis()[i] <= cut).toArray();
            TrainingRows knownRows = all.select(known);
            TrainingRows rows = knownRows.project(training.featureChoice().apply(knownRows));
            String v = version != null ? version : out.getFileName().toString();
            TrainingOptions options = training.options(threads).withFalsePositiveBudget(fpBudget).withVersion(v);
            System.out.printf("Training on %,d transactions with known labels (%,d not yet labelled left out), %d features...%n",
                    rows.size(), all.size() - rows.size(), rows.columns());
            TrainedModel model = ModelTrainer.train(rows, options);
            model.writeTo(out);
            var card = model.card();
            PrecisionRecallChart.write(model.validation().probabilities(), model.validation().labels(),
                    card.thresholds().review().probability(), "Precision-recall on validation, model " + v,
                    out.resolve("pr-curve.png"));
            System.out.printf("Model %s: %d trees; validation (%,d rows, %,d fraud): AUC ROC %.4f, average precision %.4f%n",
                    v, card.rounds().bestIteration() + 1, card.validation().rows(), card.validation().fraudRows(),
                    card.validation().aucRoc(), card.validation().averagePrecision());
            System.out.printf("REVIEW threshold p >= %.4f flags %.3f%% of legitimate and %.1f%% of fraud validation rows%n",
                    card.thresholds().review().probability(), 100 * card.thresholds().review().validationFalsePositiveRate(),
                    100 * card.thresholds().review().validationRecall());
            System.out.println("Model written to " + out + " (model.json, model.ubj, pr-curve.png)");
        }

        private static void flush(RedisFeatureStore store, List<TransactionEvent> batch, List<Boolean> batchLabels,
                                  List<Features> rows, List<Boolean> labels, List<Instant> times, ProgressBar bar) {
            if (batch.isEmpty()) return;
            List<Enrichment> enriched = store.enrichAll(batch);
            for (int i = 0; i < batch.size(); i++) {
                rows.add(enriched.get(i).features());
                labels.add(batchLabels.get(i));
                times.add(batch.get(i).occurredAt());
            }
            bar.stepBy(batch.size());
            batch.clear();
            batchLabels.clear();
        }

        private static void deleteQuietly(Path dir) {
            if (dir == null) return;
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a scratch folder left in the temp directory is harmless
            }
        }
    }
}
