package dev.vigil.audit;

import static dev.vigil.audit.AuditFixtures.audited;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vigil.decision.Decision;
import dev.vigil.decision.Hit;
import dev.vigil.decision.Verdict;
import dev.vigil.event.EventSource;
import dev.vigil.infra.EmbeddedPostgresServer;
import dev.vigil.score.ModelScore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** The store against simple references (a set of seen keys; the identity on text), on a real server. */
class AuditStorePropertiesIT {

    static Path dataDir;
    static EmbeddedPostgresServer pg;
    static PostgresAuditStore store;

    @BeforeContainer
    static void start() throws IOException, SQLException {
        dataDir = Files.createTempDirectory("vigil-audit-props");
        pg = EmbeddedPostgresServer.start(dataDir.resolve("pg"), 0);
        AuditFixtures.migrate(pg);
        store = AuditFixtures.appStore(pg);
    }

    @AfterContainer
    static void stop() throws IOException {
        if (store != null) store.close();
        if (pg != null) pg.close();
        try (Stream<Path> paths = Files.walk(dataDir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @Property(tries = 40)
    void decisionsAreWrittenOncePerTransactionIdInAnyBatching(@ForAll("batches") List<List<Integer>> batches) {
        String run = UUID.randomUUID().toString(); // tries share the database, not their ids
        Set<String> seen = new HashSet<>();
        long before = store.countDecisions();
        for (List<Integer> batch : batches) {
            List<AuditedDecision> input = new ArrayList<>();
            List<Boolean> expected = new ArrayList<>();
            for (int i : batch) {
                input.add(audited(run + "-" + i));
                expected.add(seen.add(run + "-" + i));
            }
            assertEquals(expected, store.recordDecisions(input));
        }
        assertEquals(before + seen.size(), store.countDecisions());
    }

    @Property(tries = 40)
    void rejectionsAreWrittenOncePerSourceInAnyBatching(@ForAll("batches") List<List<Integer>> batches) {
        String run = UUID.randomUUID().toString();
        Set<Integer> seen = new HashSet<>();
        long before = store.countRejections();
        for (List<Integer> batch : batches) {
            List<Rejection> input = new ArrayList<>();
            for (int i : batch) {
                // the same key on both channels is two sources
                input.add(AuditFixtures.rejection(new EventSource(i % 2 == 0 ? "kafka" : "http", run + "/" + i / 2),
                        new byte[] {(byte) i}));
                seen.add(i);
            }
            store.recordRejections(input);
        }
        assertEquals(before + seen.size(), store.countRejections());
    }

    @Property(tries = 60)
    void anyTextComesBackAsWrittenOnceCleaned(@ForAll("text") String txSuffix, @ForAll("text") String account,
            @ForAll("text") String reason, @ForAll byte[] raw) {
        String tx = UUID.randomUUID() + txSuffix;
        Decision d = AuditFixtures.decision(AuditFixtures.event(tx, account, AuditFixtures.T0, "0.01"),
                List.of(new Hit("R-1", Verdict.REVIEW, reason)), AuditFixtures.features(), null,
                ModelScore.of(0.25, "m"));
        AuditedDecision a = new AuditedDecision(d, EventSource.http(tx), raw);
        assertEquals(List.of(true), store.recordDecisions(List.of(a)));

        StoredDecision s = store.findDecision(tx).orElseThrow();
        assertEquals(Text.clean(tx), s.transactionId());
        assertEquals(Text.clean(account), s.accountId());
        assertEquals(Text.clean(reason), s.hits().get(0).reason());
        assertArrayEquals(raw, s.rawEvent()); // bytes are never cleaned
    }

    @Provide
    Arbitrary<List<List<Integer>>> batches() {
        // a small key space so repeats within and across batches are common
        return Arbitraries.integers().between(0, 15).list().ofMaxSize(12).list().ofMinSize(1).ofMaxSize(5);
    }

    @Provide
    Arbitrary<String> text() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(30),
                Arbitraries.of("'); drop table decision; --", "$$", "\\x00", "\0", "\uD800", "?", "' or '1'='1"));
    }
}
