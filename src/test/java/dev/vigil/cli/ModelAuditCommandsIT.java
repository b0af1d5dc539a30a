package dev.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.audit.AuditedDecision;
import dev.vigil.audit.PostgresAuditStore;
import dev.vigil.audit.SchemaMigrator;
import dev.vigil.decision.Decision;
import dev.vigil.decision.Verdict;
import dev.vigil.event.EventSource;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import dev.vigil.infra.EmbeddedPostgresServer;
import dev.vigil.infra.Services;
import dev.vigil.rules.RuleSetVersion;
import dev.vigil.score.ModelScore;
import dev.vigil.score.ModelTrainer;
import dev.vigil.score.SyntheticFraud;
import dev.vigil.score.TrainingOptions;
import dev.vigil.score.XgboostRiskModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Currency;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code vigil model train --from-audit} and {@code vigil model compare} against a real audit store. */
class ModelAuditCommandsIT {

    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    @TempDir
    Path dir;

    @Test
    void shouldTrainFromAuditedDecisionsAndCompareTwoModelsOnThem() throws Exception {
        SyntheticFraud.Data data = SyntheticFraud.generate(3000, 51, T0);
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("pg"), 0)) {
            pg.ensureDatabase(Services.DATABASE);
            try (Connection c = pg.superUserConnection(Services.DATABASE)) {
                SchemaMigrator.migrate(c, Path.of("audit-schema"));
                SchemaMigrator.setPasswords(c, "app-pw-1", "auditor-pw-1");
            }
            List<String> labels = new ArrayList<>(List.of("transaction_id,label,source,known_at"));
            try (PostgresAuditStore store = new PostgresAuditStore(pg.jdbcUrl(Services.DATABASE), SchemaMigrator.APP_ROLE, "app-pw-1", null)) {
                List<AuditedDecision> batch = new ArrayList<>();
                for (int i = 0; i < data.size(); i++) {
                    String tx = "tx-" + i;
                    batch.add(audited(tx, data.times().get(i), data.rows().get(i)));
                    // A tenth of the decisions have no label yet: they must be left out.
                    if (i % 10 != 9) labels.add(tx + "," + (data.labels().get(i) ? "fraud" : "0") + ",chargeback," + T0);
                }
                store.recordDecisions(batch);
            }
            Path labelsCsv = dir.resolve("labels.csv");
            Files.write(labelsCsv, labels);

            // A challenger trained on shuffled labels: it should lose.
            List<Boolean> shuffled = new ArrayList<>(data.labels());
            Collections.shuffle(shuffled, new Random(2));
            ModelTrainer.train(data.rows(), shuffled, data.times(), TrainingOptions.defaults().withVersion("noise")).writeTo(dir.resolve("noise"));

            System.setProperty("vigil.postgres.embedded-port", Integer.toString(pg.port()));
            try {
                String[] out = new String[1];
                Path model = dir.resolve("models/audit/2026.11.23-1");
                assertEquals(0, run(out, "train", "--from-audit", "--labels", labelsCsv.toString(), "--out", model.toString()), out[0]);
                assertTrue(out[0].contains("2,700 audited decisions have a label"), out[0]);
                try (XgboostRiskModel m = XgboostRiskModel.load(model)) {
                    assertEquals("2026.11.23-1", m.version());
                    assertEquals(2700, m.card().trainingData().rows());
                    // 540 validation rows with a few dozen frauds: the figure is noisy, so the bar is low; compare checks ranking.
                    assertTrue(m.card().validation().aucRoc() > 0.7, "validation AUC " + m.card().validation().aucRoc());
                }
                assertTrue(Files.size(model.resolve("pr-curve.png")) > 1000);

                assertEquals(0, run(out, "compare", "--labels", labelsCsv.toString(), "--champion", model.toString(),
                        "--challenger", dir.resolve("noise").toString()), out[0]);
                assertTrue(out[0].contains("2,700 audited transactions with labels"), out[0]);
                String[] lines = out[0].split("\n");
                double championAuc = Double.parseDouble(lines[2].trim().split("\\s+")[2]);
                double challengerAuc = Double.parseDouble(lines[3].trim().split("\\s+")[2]);
                assertTrue(championAuc > challengerAuc + 0.1, out[0]);
            } finally {
                System.clearProperty("vigil.postgres.embedded-port");
            }
        }
    }

    private static int run(String[] out, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            return new CommandLine(new ModelCommand()).registerConverter(java.time.Duration.class, DurationConverter::parse).execute(args);
        } finally {
            System.setOut(old);
            out[0] = bytes.toString(StandardCharsets.UTF_8);
        }
    }

    private static AuditedDecision audited(String tx, Instant t, dev.vigil.feature.Features f) {
        TransactionEvent e = new TransactionEvent(tx, t, "acc-1", "cust-1", TransactionType.PURCHASE,
                new BigDecimal("10.00"), Currency.getInstance("EUR"), null, null, null, null, null, null, null, null, null);
        Decision d = new Decision(Decision.decisionIdFor(tx), e, Verdict.ALLOW, List.of(), ModelScore.of(0.1, "m"), f, null,
                new RuleSetVersion("v", "h"), t, 10);
        return new AuditedDecision(d, EventSource.http(tx), "{}".getBytes(StandardCharsets.UTF_8));
    }
}
