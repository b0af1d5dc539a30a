package dev.vigil.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the audit database to the schema in {@code audit-schema/}: applies each
 * {@code V<nnn>__<name>.sql} once, in version order, and records it in {@code schema_version} with
 * the SHA-256 of its bytes. It refuses to go on (and changes nothing) when an applied file was
 * edited or removed, or a new file is numbered below one already applied: the schema an auditor
 * reads about must be the schema in the database.
 *
 * <p>Run it as a superuser (or the tables' owner with CREATEROLE): the scripts create roles and
 * triggers. All pending scripts run in one transaction.
 */
public final class SchemaMigrator {
    private static final Logger log = LoggerFactory.getLogger(SchemaMigrator.class);

    /** Role Vigil connects as: INSERT and SELECT on the audit tables. */
    public static final String APP_ROLE = "vigil_app";
    /** Read-only role for auditors. */
    public static final String AUDITOR_ROLE = "vigil_auditor";

    private static final Pattern SCRIPT = Pattern.compile("V(\\d{1,9})__([A-Za-z0-9_]+)\\.sql");
    // Any constant will do: it only has to be the same in every Vigil process migrating this database.
    private static final long LOCK_KEY = 0x5669_6769_6c41_7564L;

    private SchemaMigrator() {}

    /** One migration script on disk. */
    record Script(int version, String fileName, String sha256, String sql) {}

    /**
     * Applies the pending scripts of {@code schemaDir}.
     *
     * @return the file names applied now, in order (empty when the database was up to date)
     * @throws SchemaMismatchException when the database and the folder disagree about what was applied
     */
    public static List<String> migrate(Connection superuserConnection, Path schemaDir) {
        Objects.requireNonNull(superuserConnection, "superuserConnection");
        Map<Integer, Script> scripts = readScripts(schemaDir);
        try {
            return inTransaction(superuserConnection, c -> apply(c, scripts, schemaDir));
        } catch (SQLException e) {
            throw new IllegalStateException("audit schema migration from " + schemaDir + " failed, nothing applied: "
                    + e.getMessage() + " (SQLState " + e.getSQLState() + ")", e);
        }
    }

    /**
     * Sets the login passwords of {@value #APP_ROLE} and {@value #AUDITOR_ROLE}. The SCRAM verifier is
     * computed here, so the plain passwords never reach the server or its log.
     */
    public static void setPasswords(Connection superuserConnection, String appPassword, String auditorPassword) {
        Objects.requireNonNull(superuserConnection, "superuserConnection");
        requirePassword(appPassword, "app password");
        if (auditorPassword != null) requirePassword(auditorPassword, "auditor password");
        try {
            PGConnection pg = superuserConnection.unwrap(PGConnection.class);
            inTransaction(superuserConnection, c -> {
                for (String role : List.of(APP_ROLE, AUDITOR_ROLE)) {
                    try (PreparedStatement ps = c.prepareStatement("select 1 from pg_roles where rolname = ?")) {
                        ps.setString(1, role);
                        try (ResultSet rs = ps.executeQuery()) {
                            if (!rs.next()) throw new IllegalStateException("role " + role + " does not exist: migrate first");
                        }
                    }
                }
                pg.alterUserPassword(APP_ROLE, appPassword.toCharArray(), "scram-sha-256");
                if (auditorPassword != null) pg.alterUserPassword(AUDITOR_ROLE, auditorPassword.toCharArray(), "scram-sha-256");
                return null;
            });
        } catch (SQLException e) {
            throw new IllegalStateException("could not set the audit role passwords: " + e.getMessage(), e);
        }
    }

    private static List<String> apply(Connection c, Map<Integer, Script> scripts, Path dir) throws SQLException {
        try (Statement st = c.createStatement()) {
            // Two Vigil processes starting together must not both apply V001.
            st.execute("select pg_advisory_xact_lock(" + LOCK_KEY + ")");
            st.execute("""
                    create table if not exists schema_version (
                        version    integer     primary key,
                        script     text        not null,
                        sha256     text        not null,
                        applied_at timestamptz not null default now(),
                        applied_by text        not null default current_user)""");
        }
        Map<Integer, String[]> applied = new TreeMap<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select version, script, sha256 from schema_version order by version")) {
            while (rs.next()) applied.put(rs.getInt(1), new String[] {rs.getString(2), rs.getString(3)});
        }

        int highestApplied = 0;
        for (var e : applied.entrySet()) {
            int version = e.getKey();
            String appliedName = e.getValue()[0];
            String appliedHash = e.getValue()[1];
            Script s = scripts.get(version);
            if (s == null) {
                throw new SchemaMismatchException("applied script " + appliedName + " (version " + version
                        + ") is missing from " + dir);
            }
            if (!s.sha256().equals(appliedHash)) {
                throw new SchemaMismatchException(s.fileName() + " was changed after it was applied: sha256 in database "
                        + appliedHash + ", on disk " + s.sha256() + ". Restore the file and put changes in a new script.");
            }
            highestApplied = Math.max(highestApplied, version);
        }

        List<String> done = new ArrayList<>();
        for (Script s : scripts.values()) {
            if (applied.containsKey(s.version())) continue;
            if (s.version() < highestApplied) {
                throw new SchemaMismatchException(s.fileName() + " is numbered below version " + highestApplied
                        + ", which is already applied: renumber it above");
            }
            try (Statement st = c.createStatement()) {
                st.execute(s.sql());
            } catch (SQLException e) {
                throw new SQLException(s.fileName() + ": " + e.getMessage(), e.getSQLState(), e);
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into schema_version (version, script, sha256) values (?, ?, ?)")) {
                ps.setInt(1, s.version());
                ps.setString(2, s.fileName());
                ps.setString(3, s.sha256());
                ps.executeUpdate();
            }
            done.add(s.fileName());
            log.info("audit schema: applied {}", s.fileName());
        }
        if (done.isEmpty()) log.info("audit schema up to date at version {}", highestApplied);
        return done;
    }

    static Map<Integer, Script> readScripts(Path dir) {
        Objects.requireNonNull(dir, "schemaDir");
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("audit schema folder not found: " + dir.toAbsolutePath());
        Map<Integer, Script> scripts = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                String name = p.getFileName().toString();
                if (!name.endsWith(".sql")) continue;
                Matcher m = SCRIPT.matcher(name);
                if (!m.matches()) {
                    throw new IllegalArgumentException("audit schema script " + name + " is not named V<number>__<name>.sql");
                }
                int version = Integer.parseInt(m.group(1));
                if (version == 0) throw new IllegalArgumentException("audit schema script " + name + ": versions start at 1");
                byte[] bytes = Files.readAllBytes(p);
                Script s = new Script(version, name, sha256(bytes), stripBom(new String(bytes, StandardCharsets.UTF_8)));
                Script clash = scripts.put(version, s);
                if (clash != null) {
                    throw new IllegalArgumentException("audit schema scripts " + clash.fileName() + " and " + name
                            + " have the same version " + version);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read audit schema folder " + dir, e);
        }
        if (scripts.isEmpty()) throw new IllegalArgumentException("no V<nnn>__*.sql scripts in " + dir.toAbsolutePath());
        return scripts;
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private static <T> T inTransaction(Connection c, Work<T> work) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            T result = work.run(c);
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static String stripBom(String s) {
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }

    private static void requirePassword(String password, String what) {
        if (password == null || password.isBlank()) throw new IllegalArgumentException(what + " is empty");
    }
}
