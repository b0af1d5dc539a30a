package dev.vigil.audit;

import dev.vigil.decision.Decision;
import dev.vigil.decision.Hit;
import dev.vigil.decision.ShadowScore;
import dev.vigil.decision.Verdict;
import dev.vigil.decision.VerdictPolicy;
import dev.vigil.event.EventCodec;
import dev.vigil.event.EventSource;
import dev.vigil.event.TransactionEvent;
import dev.vigil.infra.EmbeddedPostgresServer;
import dev.vigil.score.Contribution;
import dev.vigil.score.ModelScore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A benchmark, not a test: rows per second that {@link PostgresAuditStore#recordDecisions} sustains
 * on this machine, chain computed at write time, against a fresh embedded PostgreSQL with durable
 * commits. Decisions carry a realistic raw event (the codec's bytes, about 400 bytes), five SHAP
 * contributions and a challenger. After warm-up rounds (JIT, shared buffers) it runs several
 * measured rounds and prints each and their median, with Java's and the PostgreSQL backend's CPU
 * a row, so a loaded machine shows as wall clock far above the CPU work. Run:
 *
 * <pre>
 * mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.vigil.audit.AuditWriteBench [rows a round] [batch] [rounds] [plain,keyed]
 * </pre>
 */
public final class AuditWriteBench {
    private AuditWriteBench() {}

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 40_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        String modes = args.length > 3 ? args[3] : "plain,keyed";
        Path dir = Files.createTempDirectory("vigil-audit-bench");
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("pg"), 0)) {
            System.out.printf("audit write bench: %d rounds of %,d decisions in batches of %d after warm-up rounds, %d cores%n",
                    rounds, rows, batch, Runtime.getRuntime().availableProcessors());
            int n = 0;
            for (String mode : modes.split(",")) {
                boolean keyed = switch (mode) {
                    case "plain" -> false;
                    case "keyed" -> true;
                    default -> throw new IllegalArgumentException("mode plain or keyed, not " + mode);
                };
                String db = "bench_" + mode + "_" + n++;
                pg.ensureDatabase(db);
                try (Connection c = pg.superUserConnection(db)) {
                    SchemaMigrator.migrate(c, AuditFixtures.SCHEMA);
                    SchemaMigrator.setPasswords(c, AuditFixtures.APP_PASSWORD, AuditFixtures.AUDITOR_PASSWORD);
                }
                byte[] key = keyed ? "a-bench-checkpoint-key-of-32-bytes-or-more".getBytes(StandardCharsets.UTF_8) : null;
                try (PostgresAuditStore store = new PostgresAuditStore(pg.jdbcUrl(db), SchemaMigrator.APP_ROLE,
                        AuditFixtures.APP_PASSWORD, key)) {
                    store.isHealthy(); // the connection exists now: find its server process
                    long backend;
                    try (Connection c = pg.superUserConnection(db); Statement st = c.createStatement();
                            ResultSet rs = st.executeQuery("select pid from pg_stat_activity where usename = 'vigil_app'")) {
                        rs.next();
                        backend = rs.getLong(1);
                    }
                    System.out.printf("  %s (backend pid %d):%n", keyed ? "with a signed checkpoint per batch" : "without a checkpoint key", backend);
                    try (Connection admin = pg.superUserConnection(db)) {
                        // The first database also warms the JIT: three rounds, so its measured rounds are not the compiler's.
                        for (int w = 0; w < (n == 1 ? 3 : 1); w++) {
                            round(store, (keyed ? "kw" : "pw") + w, rows, batch, backend, admin, "warm-up");
                        }
                        List<Round> measured = new ArrayList<>();
                        for (int r = 0; r < rounds; r++) {
                            measured.add(round(store, (keyed ? "k" : "p") + r, rows, batch, backend, admin, "round " + (r + 1)));
                        }
                        Round m = Round.median(measured);
                        System.out.printf("    median: %,.0f rows/s wall clock; CPU a row: Java %.1f us + PostgreSQL backend %.1f us;"
                                + " WAL %,d bytes a row%n", m.rowsPerSecond, m.javaMicros, m.pgMicros, m.walBytes);
                    }
                }
                try (Connection c = pg.superUserConnection(db)) {
                    anatomy(c, AuditVerifier.tableName("decision", java.time.YearMonth.now(java.time.ZoneOffset.UTC)));
                    long t0 = System.nanoTime();
                    AuditVerifier.Report r = AuditVerifier.verify(c, key);
                    double s = (System.nanoTime() - t0) / 1e9;
                    System.out.printf("  verify: %s, %,.0f rows/s (canonical bytes rebuilt in SQL)%n",
                            r.intact() ? "intact" : "BROKEN " + r.firstBreak(), r.linksChecked() / s);
                }
            }
        } finally {
            deleteTree(dir); // about 2 GB a run with the defaults: forty runs filled the disk
        }
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** One measured round; the median takes each figure's own median. */
    record Round(double rowsPerSecond, double javaMicros, double pgMicros, long walBytes) {
        static Round median(List<Round> rounds) {
            return new Round(median(rounds, Round::rowsPerSecond), median(rounds, Round::javaMicros),
                    median(rounds, Round::pgMicros), (long) median(rounds, r -> (double) r.walBytes()));
        }

        private static double median(List<Round> rounds, java.util.function.ToDoubleFunction<Round> f) {
            double[] v = rounds.stream().mapToDouble(f).sorted().toArray();
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }
    }

    /** CPU seconds (user + system) a process has used, from /proc (Linux). */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime, stime in clock ticks (USER_HZ 100)
        } catch (java.io.IOException e) {
            return Double.NaN;
        }
    }

    /** Bytes a row on disk: heap, TOAST, each index, and the average stored size of the widest columns. */
    static void anatomy(Connection c, String partition) throws java.sql.SQLException {
        try (Statement st = c.createStatement()) {
            long n;
            try (ResultSet rs = st.executeQuery("select count(*) from " + partition)) {
                rs.next();
                n = Math.max(1, rs.getLong(1));
            }
            StringBuilder b = new StringBuilder();
            try (ResultSet rs = st.executeQuery("select pg_total_relation_size('" + partition + "'), pg_relation_size('" + partition
                    + "'), coalesce((select pg_total_relation_size(reltoastrelid) from pg_class where oid = '" + partition
                    + "'::regclass and reltoastrelid <> 0), 0)")) {
                rs.next();
                b.append(String.format("  stored: %,d rows, %,d bytes a row in all: heap %,d, TOAST %,d", n,
                        rs.getLong(1) / n, rs.getLong(2) / n, rs.getLong(3) / n));
            }
            try (ResultSet rs = st.executeQuery("select i.indexrelid::regclass::text, pg_relation_size(i.indexrelid) from pg_index i"
                    + " where i.indrelid = '" + partition + "'::regclass order by 1")) {
                while (rs.next()) b.append(String.format(", %s %,d", rs.getString(1), rs.getLong(2) / n));
            }
            System.out.println(b);
            StringBuilder cols = new StringBuilder("    average stored column bytes:");
            try (ResultSet rs = st.executeQuery("select attname from pg_attribute where attrelid = '" + partition
                    + "'::regclass and attnum > 0 and not attisdropped order by attnum")) {
                List<String> names = new ArrayList<>();
                while (rs.next()) names.add(rs.getString(1));
                StringBuilder q = new StringBuilder("select ");
                for (int i = 0; i < names.size(); i++) q.append(i == 0 ? "" : ", ").append("avg(pg_column_size(").append(names.get(i)).append("))");
                q.append(", avg(pg_column_size(t.*)) from ").append(partition).append(" t");
                try (Statement st2 = c.createStatement(); ResultSet r2 = st2.executeQuery(q.toString())) {
                    r2.next();
                    for (int i = 0; i < names.size(); i++) {
                        double v = r2.getDouble(i + 1);
                        if (v >= 16) cols.append(String.format(" %s %.0f", names.get(i), v));
                    }
                    cols.append(String.format("; whole row %.0f", r2.getDouble(names.size() + 1)));
                }
            }
            System.out.println(cols);
        }
    }

    private static long[] walStats(Connection admin) throws java.sql.SQLException {
        try (Statement st = admin.createStatement(); ResultSet rs = st.executeQuery(
                "select pg_current_wal_insert_lsn() - '0/0'::pg_lsn, wal_records, wal_fpi, wal_sync from pg_stat_wal")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)};
        }
    }

    private static Round round(PostgresAuditStore store, String prefix, int rows, int batch, long backend,
            Connection admin, String name) throws java.sql.SQLException {
        EventCodec codec = new EventCodec();
        // Decisions are built before the clock starts: only the store is measured.
        List<List<AuditedDecision>> batches = new ArrayList<>();
        List<AuditedDecision> current = new ArrayList<>(batch);
        for (int i = 0; i < rows; i++) {
            current.add(decision(codec, prefix + "-" + i, i));
            if (current.size() == batch) {
                batches.add(current);
                current = new ArrayList<>(batch);
            }
        }
        if (!current.isEmpty()) batches.add(current);
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long[] wal0 = walStats(admin);
        long java0 = threads.getCurrentThreadCpuTime();
        double pg0 = cpuSeconds(backend);
        long t0 = System.nanoTime();
        for (List<AuditedDecision> b : batches) store.recordDecisions(b);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double javaCpu = (threads.getCurrentThreadCpuTime() - java0) / 1e9;
        double pgCpu = cpuSeconds(backend) - pg0;
        long[] wal1 = walStats(admin);
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        Round r = new Round(rows / seconds, javaCpu * 1e6 / rows, pgCpu * 1e6 / rows, (wal1[0] - wal0[0]) / rows);
        // On a shared machine the wall clock measures the neighbours; CPU time per row measures the work.
        System.out.printf("    %s: %,.0f rows/s wall clock (%.1f us a row; load average %.1f); CPU a row: Java %.1f us"
                        + " + PostgreSQL backend %.1f us; WAL a row %,d bytes, %.1f records, %d syncs%n",
                name, r.rowsPerSecond, 1e6 / r.rowsPerSecond, load, r.javaMicros, r.pgMicros, r.walBytes,
                (wal1[1] - wal0[1]) / (double) rows, wal1[3] - wal0[3]);
        return r;
    }

    static AuditedDecision decision(EventCodec codec, String txId, int i) {
        TransactionEvent e = AuditFixtures.event(txId, "acc-" + (i % 5000), Instant.parse("2026-03-01T10:15:30.123456Z")
                .plusMillis(i * 37L), (i % 9000) + "." + (i % 100 < 10 ? "0" : "") + (i % 100));
        List<Hit> hits = i % 10 == 0 ? AuditFixtures.twoHits() : List.of();
        List<Contribution> shap = List.of(new Contribution("tx_sum_7d", 12000.5, 1.2345678),
                new Contribution("account_age_days", 3, 0.87654321), new Contribution("new_device", 0, -0.4321),
                new Contribution("tx_count_1h", 5, 0.1234), new Contribution("deposit_to_net_worth_ratio", 0.36, 0.0567));
        ModelScore score = new ModelScore(0.8731, 87, "xgb-2026.02", shap);
        Decision d = new Decision(Decision.decisionIdFor(txId), e, VerdictPolicy.combine(hits), hits, score,
                AuditFixtures.features(), AuditFixtures.account(), AuditFixtures.RULES, e.occurredAt().plusMillis(40), 815,
                new ShadowScore("xgb-2026.03-challenger", 0.6543, Verdict.REVIEW));
        return new AuditedDecision(d, EventSource.kafka("transactions", i % 12, i), codec.write(e));
    }
}
