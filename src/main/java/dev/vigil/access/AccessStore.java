package dev.vigil.access;

import dev.vigil.infra.ConnectionPool;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Console users, their sessions, and the payment rails' API keys, in the audit database (tables
 * {@code users}, {@code user_session}, {@code api_key}; every change also leaves an
 * {@code access_event} row). Only hashes of passwords, session tokens and key secrets are stored.
 *
 * <p>API keys are checked on the decision path, so a key's state is cached for
 * {@code apiKeyCacheTtl}: a revoked key stops working within that time, in every Vigil process.
 */
public final class AccessStore {
    /** The actor recorded for changes made by the {@code vigil} command line. */
    public static final String CLI_ACTOR = "cli";

    private static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern CLIENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final String KEY_PREFIX = "vk_";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A user as the console and the CLI list them (no hash). */
    public record UserInfo(String username, String displayName, List<Role> roles, boolean disabled, Instant createdAt) {}

    /** An API key as listed (no secret). */
    public record ApiKeyInfo(String keyId, String client, Instant createdAt, String createdBy, Instant revokedAt, String revokedBy) {
        public boolean active() {
            return revokedAt == null;
        }
    }

    /** A key just created: {@code key} is shown once and never stored. */
    public record NewApiKey(String keyId, String client, String key) {}

    /** What a login attempt came to. */
    public sealed interface Login {
        record Ok(String token, Principal principal, Instant expiresAt) implements Login {}
        record Refused() implements Login {}
        record Throttled(Duration retryAfter) implements Login {}
    }

    private record CachedKey(String client, byte[] secretHash, boolean active, long loadedNanos) {}

    private final ConnectionPool db;
    private final Clock clock;
    private final Duration sessionTtl;
    private final long apiKeyCacheNanos;
    private final PasswordHasher hasher;
    private final LoginThrottle throttle;
    // Verified when the username is unknown, so a wrong name costs as long as a wrong password.
    private final String dummyHash;
    private final Map<String, CachedKey> keyCache = new ConcurrentHashMap<>();

    public AccessStore(ConnectionPool db, Clock clock, Duration sessionTtl, Duration apiKeyCacheTtl, PasswordHasher hasher) {
        this.db = Objects.requireNonNull(db, "db");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sessionTtl = Objects.requireNonNull(sessionTtl, "sessionTtl");
        this.apiKeyCacheNanos = apiKeyCacheTtl.toNanos();
        this.hasher = Objects.requireNonNull(hasher, "hasher");
        this.throttle = new LoginThrottle(clock, 3, Duration.ofMinutes(15));
        this.dummyHash = hasher.hash("not-a-real-password".toCharArray());
    }

    // ---- users -------------------------------------------------------------------------------

    public void addUser(String username, String displayName, List<Role> roles, char[] password, String actor) {
        String name = checkUsername(username);
        if (roles.isEmpty()) throw new IllegalArgumentException("a user needs at least one role");
        String hash = hasher.hash(password);
        run("add user " + name, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into users (username, display_name, roles, password_hash) values (?, ?, ?, ?) on conflict do nothing")) {
                ps.setString(1, name);
                ps.setString(2, displayName == null || displayName.isBlank() ? name : displayName);
                ps.setArray(3, roleArray(c, roles));
                ps.setString(4, hash);
                if (ps.executeUpdate() == 0) throw new IllegalArgumentException("user " + name + " already exists");
            }
            event(c, actor, "USER_ADDED", name, "roles " + roles);
            return null;
        });
    }

    public void setPassword(String username, char[] password, String actor) {
        String name = checkUsername(username);
        String hash = hasher.hash(password);
        update(name, "update users set password_hash = ?, password_changed_at = now() where username = ?", hash,
                actor, "PASSWORD_SET", null);
    }

    public void setRoles(String username, List<Role> roles, String actor) {
        String name = checkUsername(username);
        if (roles.isEmpty()) throw new IllegalArgumentException("a user needs at least one role");
        run("set roles of " + name, c -> {
            try (PreparedStatement ps = c.prepareStatement("update users set roles = ? where username = ?")) {
                ps.setArray(1, roleArray(c, roles));
                ps.setString(2, name);
                if (ps.executeUpdate() == 0) throw new IllegalArgumentException("no user " + name);
            }
            event(c, actor, "ROLES_SET", name, roles.toString());
            return null;
        });
    }

    /** Disabling also ends the user's open sessions. */
    public void setDisabled(String username, boolean disabled, String actor) {
        String name = checkUsername(username);
        run((disabled ? "disable " : "enable ") + name, c -> {
            try (PreparedStatement ps = c.prepareStatement("update users set disabled = ? where username = ?")) {
                ps.setBoolean(1, disabled);
                ps.setString(2, name);
                if (ps.executeUpdate() == 0) throw new IllegalArgumentException("no user " + name);
            }
            if (disabled) {
                try (PreparedStatement ps = c.prepareStatement(
                        "update user_session set ended_at = now() where username = ? and ended_at is null")) {
                    ps.setString(1, name);
                    ps.executeUpdate();
                }
            }
            event(c, actor, disabled ? "USER_DISABLED" : "USER_ENABLED", name, null);
            return null;
        });
    }

    public List<UserInfo> users() {
        return run("list users", c -> {
            List<UserInfo> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "select username, display_name, roles, disabled, created_at from users order by username");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(userInfo(rs));
            }
            return out;
        });
    }

    public Optional<UserInfo> user(String username) {
        return run("find user", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "select username, display_name, roles, disabled, created_at from users where username = ?")) {
                ps.setString(1, username);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(userInfo(rs)) : Optional.<UserInfo>empty();
                }
            }
        });
    }

    // ---- sessions ----------------------------------------------------------------------------

    /**
     * Checks the password and opens a session. Wrong passwords are throttled per username and per
     * address; a throttled attempt is not even checked, so guessing cannot go faster than allowed.
     */
    public Login login(String username, char[] password, String remoteAddress) {
        String name = username == null ? "" : username.trim().toLowerCase(Locale.ROOT);
        Duration wait = throttle.waitBefore(name, remoteAddress);
        if (!wait.isZero()) return new Login.Throttled(wait);
        record Row(String hash, List<Role> roles, boolean disabled) {}
        Optional<Row> row = run("read user " + name, c -> {
            try (PreparedStatement ps = c.prepareStatement("select password_hash, roles, disabled from users where username = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new Row(rs.getString(1), roles(rs.getArray(2)), rs.getBoolean(3)))
                            : Optional.<Row>empty();
                }
            }
        });
        boolean ok = PasswordHasher.verify(password, row.map(Row::hash).orElse(dummyHash)) && row.isPresent()
                && !row.get().disabled();
        if (!ok) {
            throttle.failed(name, remoteAddress);
            if (USERNAME.matcher(name).matches()) {
                run("record a failed login", c -> {
                    event(c, name, "LOGIN_FAILED", name, remoteAddress);
                    return null;
                });
            }
            return new Login.Refused();
        }
        throttle.succeeded(name);
        String token = randomToken(32);
        Instant expires = clock.instant().plus(sessionTtl);
        run("open a session for " + name, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into user_session (token_hash, username, created_at, expires_at, remote_address) values (?, ?, ?, ?, ?)")) {
                ps.setBytes(1, PasswordHasher.sha256(token));
                ps.setString(2, name);
                ps.setObject(3, utc(clock.instant()));
                ps.setObject(4, utc(expires));
                ps.setString(5, remoteAddress);
                ps.executeUpdate();
            }
            event(c, name, "LOGIN", name, remoteAddress);
            return null;
        });
        return new Login.Ok(token, Principal.user(name, row.get().roles()), expires);
    }

    /** The user of a live session: not ended, not expired, user not disabled. */
    public Optional<Principal> session(String token) {
        if (token == null || token.isEmpty() || token.length() > 100) return Optional.empty();
        return run("check a session", c -> {
            try (PreparedStatement ps = c.prepareStatement("select u.username, u.roles from user_session s join users u using (username)"
                    + " where s.token_hash = ? and s.ended_at is null and s.expires_at > ? and not u.disabled")) {
                ps.setBytes(1, PasswordHasher.sha256(token));
                ps.setObject(2, utc(clock.instant()));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(Principal.user(rs.getString(1), roles(rs.getArray(2))))
                            : Optional.<Principal>empty();
                }
            }
        });
    }

    public void logout(String token) {
        if (token == null || token.isEmpty()) return;
        run("end a session", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "update user_session set ended_at = now() where token_hash = ? and ended_at is null returning username")) {
                ps.setBytes(1, PasswordHasher.sha256(token));
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) event(c, rs.getString(1), "LOGOUT", rs.getString(1), null);
                }
            }
            return null;
        });
    }

    // ---- API keys ----------------------------------------------------------------------------

    /** A new key for {@code client}: {@code vk_<key id>_<secret>}. The whole key is returned once. */
    public NewApiKey createApiKey(String client, String actor) {
        if (client == null || !CLIENT.matcher(client).matches()) {
            throw new IllegalArgumentException("client name '" + client + "': letters, digits, . _ - (at most 64), starting with a letter or digit");
        }
        String keyId = randomId(12);
        String secret = randomToken(32);
        run("create an API key for " + client, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into api_key (key_id, client, secret_hash, created_by) values (?, ?, ?, ?)")) {
                ps.setString(1, keyId);
                ps.setString(2, client);
                ps.setBytes(3, PasswordHasher.sha256(secret));
                ps.setString(4, actor);
                ps.executeUpdate();
            }
            event(c, actor, "API_KEY_CREATED", keyId, "client " + client);
            return null;
        });
        return new NewApiKey(keyId, client, KEY_PREFIX + keyId + "_" + secret);
    }

    /** @return false when there was no such active key */
    public boolean revokeApiKey(String keyId, String actor) {
        boolean done = run("revoke API key " + keyId, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "update api_key set revoked_at = now(), revoked_by = ? where key_id = ? and revoked_at is null")) {
                ps.setString(1, actor);
                ps.setString(2, keyId);
                if (ps.executeUpdate() == 0) return false;
            }
            event(c, actor, "API_KEY_REVOKED", keyId, null);
            return true;
        });
        keyCache.remove(keyId);
        return done;
    }

    public List<ApiKeyInfo> apiKeys() {
        return run("list API keys", c -> {
            List<ApiKeyInfo> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "select key_id, client, created_at, created_by, revoked_at, revoked_by from api_key order by client, created_at");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ApiKeyInfo(rs.getString(1), rs.getString(2), instant(rs, 3), rs.getString(4), instant(rs, 5),
                            rs.getString(6)));
                }
            }
            return out;
        });
    }

    /** The client a presented key belongs to, when the key is well formed, known and not revoked. */
    public Optional<String> clientForApiKey(String presented) {
        if (presented == null || !presented.startsWith(KEY_PREFIX) || presented.length() > 120) return Optional.empty();
        int sep = presented.indexOf('_', KEY_PREFIX.length());
        if (sep < 0) return Optional.empty();
        String keyId = presented.substring(KEY_PREFIX.length(), sep);
        String secret = presented.substring(sep + 1);
        CachedKey k = keyCache.get(keyId);
        if (k == null || System.nanoTime() - k.loadedNanos > apiKeyCacheNanos) {
            k = loadKey(keyId);
            if (k == null) return Optional.empty();
            keyCache.put(keyId, k);
        }
        if (!k.active || !MessageDigest.isEqual(k.secretHash, PasswordHasher.sha256(secret))) return Optional.empty();
        return Optional.of(k.client);
    }

    private CachedKey loadKey(String keyId) {
        if (!keyId.matches("[a-z0-9]{8,32}")) return null;
        return run("look up API key", c -> {
            try (PreparedStatement ps = c.prepareStatement("select client, secret_hash, revoked_at is null from api_key where key_id = ?")) {
                ps.setString(1, keyId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? new CachedKey(rs.getString(1), rs.getBytes(2), rs.getBoolean(3), System.nanoTime()) : null;
                }
            }
        });
    }

    // ---- helpers -----------------------------------------------------------------------------

    private void update(String name, String sql, String value, String actor, String event, String detail) {
        run(event + " " + name, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, value);
                ps.setString(2, name);
                if (ps.executeUpdate() == 0) throw new IllegalArgumentException("no user " + name);
            }
            event(c, actor, event, name, detail);
            return null;
        });
    }

    private static void event(Connection c, String actor, String event, String subject, String detail) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into access_event (actor, event, subject, detail) values (?, ?, ?, ?)")) {
            ps.setString(1, actor);
            ps.setString(2, event);
            ps.setString(3, subject);
            ps.setString(4, detail);
            ps.executeUpdate();
        }
    }

    private <T> T run(String what, ConnectionPool.Work<T> work) {
        try {
            return db.inTransaction(work);
        } catch (SQLException e) {
            throw new IllegalStateException("could not " + what + ": " + e.getMessage() + " (SQLState " + e.getSQLState() + ")", e);
        }
    }

    private static String checkUsername(String username) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw new IllegalArgumentException("username '" + username + "': lower-case letters, digits, . _ - (at most 64), starting with a letter or digit");
        }
        return username;
    }

    private static Array roleArray(Connection c, List<Role> roles) throws SQLException {
        return c.createArrayOf("text", roles.stream().distinct().map(Role::name).toArray());
    }

    private static List<Role> roles(Array a) throws SQLException {
        List<Role> out = new ArrayList<>();
        for (Object o : (Object[]) a.getArray()) out.add(Role.valueOf((String) o));
        return out;
    }

    private static UserInfo userInfo(ResultSet rs) throws SQLException {
        return new UserInfo(rs.getString(1), rs.getString(2), roles(rs.getArray(3)), rs.getBoolean(4), instant(rs, 5));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    static String randomToken(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String randomId(int length) {
        String alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) s.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        return s.toString();
    }
}
