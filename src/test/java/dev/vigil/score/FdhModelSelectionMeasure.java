package dev.vigil.score;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Chooses the FDH training settings (XGBoost knobs, which features) on <b>validation weeks</b> that end
 * before anything the test weeks of {@code vigil model evaluate} may look at: the four weeks from
 * 2018-06-27 to 2018-07-24, whose labels are all known by 2018-08-01, the cut-off of the first test week
 * (2018-08-08 less the 7-day delay). Each setting runs the same protocol as the evaluation
 * ({@link PrequentialEvaluation}) on those weeks and prints the mean figures; the test weeks are never
 * scored here.
 *
 * <p>Runs only with {@code -Dvigil.fdh.cache=<replay cache of vigil model evaluate>}, or as a program:
 * <pre>
 * java -Xmx6g -cp target/classes:target/test-classes:'target/lib/*' dev.vigil.score.FdhModelSelectionMeasure \
 *     /work/fdh-78.cache HANDBOOK_WEEK 'd6 e0.1 r400 s30 m1 ss1 cs1 w1 all' 'd4 ...'
 * </pre>
 * A setting is space-separated: {@code dN} depth, {@code eX} eta, {@code rN} most rounds, {@code sN}
 * early-stopping rounds, {@code mX} min_child_weight, {@code ssX} subsample, {@code csX} colsample_bytree,
 * {@code wX} scale_pos_weight, then {@code all} or {@code varying} (columns constant over the training
 * rows left out) or {@code -name,name} (those left out of the varying ones).
 */
class FdhModelSelectionMeasure {

    static final List<LocalDate> VALIDATION_WEEKS = List.of(LocalDate.parse("2018-06-27"), LocalDate.parse("2018-07-04"),
            LocalDate.parse("2018-07-11"), LocalDate.parse("2018-07-18"));

    @Test
    void chooseSettingsOnValidationWeeks() throws Exception {
        String cache = System.getProperty("vigil.fdh.cache");
        assumeTrue(cache != null, "set -Dvigil.fdh.cache");
        main(new String[] {cache, System.getProperty("vigil.fdh.window", "HANDBOOK_WEEK"),
                System.getProperty("vigil.fdh.setting", "d6 e0.1 r400 s30 m1 ss1 cs1 w1 all")});
    }

    public static void main(String[] args) throws Exception {
        HistoryReplay.Result h = readAnyKey(Path.of(args[0]));
        List<PrequentialEvaluation.Window> windows = Arrays.stream(args[1].split(","))
                .map(PrequentialEvaluation.Window::valueOf).toList();
        List<LocalDate> weeks = System.getProperty("vigil.fdh.weeks") == null ? VALIDATION_WEEKS
                : Arrays.stream(System.getProperty("vigil.fdh.weeks").split(",")).map(LocalDate::parse).toList();
        for (int k = 2; k < args.length; k++) {
            for (PrequentialEvaluation.Window window : windows) {
                long t0 = System.nanoTime();
                Setting s = Setting.parse(args[k]);
                Path scratch = Files.createTempDirectory("vigil-select");
                List<PrequentialEvaluation.Week> out = PrequentialEvaluation.run(h, weeks, Duration.ofDays(7), window,
                        s.options, s.features, scratch);
                PrequentialEvaluation.deleteTree(scratch);
                List<PrequentialEvaluation.Figures> figs = out.stream().map(PrequentialEvaluation.Week::comparable).toList();
                PrequentialEvaluation.Figures m = PrequentialEvaluation.mean(figs);
                PrequentialEvaluation.Figures a = PrequentialEvaluation.mean(out.stream().map(PrequentialEvaluation.Week::allRows).toList());
                StringBuilder per = new StringBuilder();
                for (PrequentialEvaluation.Week w : out) {
                    per.append(String.format(Locale.ROOT, " %s:%.3f/%.3f/%dt", w.start(), w.comparable().aucRoc(),
                            w.comparable().averagePrecision(), w.trees()));
                }
                System.out.printf(Locale.ROOT, "SELECT %-13s [%s] comparable AUC %.4f AP %.4f CP@100 %.3f R@0.1%% %.3f R@1%% %.3f"
                                + " | all rows AUC %.4f AP %.4f | %ds |%s%n",
                        window, args[k], m.aucRoc(), m.averagePrecision(), m.cardPrecisionAt100(), m.recallAtFpr0001(),
                        m.recallAtFpr001(), a.aucRoc(), a.averagePrecision(), (System.nanoTime() - t0) / 1_000_000_000L, per);
            }
        }
    }

    record Setting(TrainingOptions options, Function<TrainingRows, List<String>> features) {
        static Setting parse(String spec) {
            int depth = 6;
            double eta = 0.1;
            int rounds = 400;
            int stop = 30;
            double mcw = 1;
            double ss = 1;
            double cs = 1;
            double w = 1;
            Function<TrainingRows, List<String>> features = TrainingRows::features;
            for (String p : spec.trim().split("\\s+")) {
                if (p.equals("all")) features = TrainingRows::features;
                else if (p.equals("varying")) features = TrainingRows::varyingFeatures;
                else if (p.startsWith("-")) {
                    List<String> drop = List.of(p.substring(1).split(","));
                    features = r -> {
                        List<String> keep = new ArrayList<>(r.varyingFeatures());
                        keep.removeAll(drop);
                        return keep;
                    };
                } else if (p.startsWith("ss")) ss = Double.parseDouble(p.substring(2));
                else if (p.startsWith("cs")) cs = Double.parseDouble(p.substring(2));
                else if (p.startsWith("d")) depth = Integer.parseInt(p.substring(1));
                else if (p.startsWith("e")) eta = Double.parseDouble(p.substring(1));
                else if (p.startsWith("r")) rounds = Integer.parseInt(p.substring(1));
                else if (p.startsWith("s")) stop = Integer.parseInt(p.substring(1));
                else if (p.startsWith("m")) mcw = Double.parseDouble(p.substring(1));
                else if (p.startsWith("w")) w = Double.parseDouble(p.substring(1));
                else throw new IllegalArgumentException("unknown setting part '" + p + "'");
            }
            int threads = Integer.getInteger("vigil.fdh.threads", 2);
            TrainingOptions o = new TrainingOptions(null, null, 0.2, depth, eta, rounds, stop,
                    TrainingOptions.StoppingMetric.AUCPR, 0.001, threads, 42, mcw, ss, cs, w);
            return new Setting(o, features);
        }
    }

    static HistoryReplay.Result readAnyKey(Path file) throws Exception {
        try (var in = new java.io.DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
            in.readUTF();
            String key = in.readUTF();
            return HistoryReplay.Result.read(file, key);
        }
    }
}
