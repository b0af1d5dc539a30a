package dev.vigil.rules;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.drools.compiler.kie.builder.impl.InternalKieModule;
import org.kie.api.KieServices;
import org.kie.api.builder.KieModule;
import org.kie.api.builder.KieScanner;
import org.kie.api.builder.Message;
import org.kie.api.builder.ReleaseId;
import org.kie.api.event.kiescanner.KieScannerEventListener;
import org.kie.api.event.kiescanner.KieScannerStatusChangeEvent;
import org.kie.api.event.kiescanner.KieScannerUpdateResultsEvent;
import org.kie.api.runtime.KieContainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rules released as a versioned artifact: a KJAR (a jar with {@code META-INF/kmodule.xml} and the rule
 * files) with Maven coordinates, resolved by kie-ci from a Maven repository and watched by its
 * {@link KieScanner}. For teams that release rules through a repository rather than a watched folder.
 *
 * <p>Give a version range ({@code [1.0.0,)}), {@code LATEST} or a {@code -SNAPSHOT} version to follow
 * new releases. When the scanner finds one, a fresh rule base is built from it in the background and
 * swapped in between two events, exactly as {@link ReloadingRuleEngine} does for a folder: the
 * container the scanner updates in place is only watched, never evaluated, so no decision sees a rule
 * base half updated. A release that does not build, or breaks the id convention, is refused and the
 * running rules stay. Every decision records the release's version (the Maven version as the label,
 * a hash of its rule files as the content hash).
 *
 * <p>kie-ci reads its Maven settings once per JVM. To resolve from a chosen local repository only
 * (CI, tests, an air-gapped service), call {@link #useMavenSettings(Path)} before {@link #start}.
 */
public final class KjarRuleEngine implements LiveRuleEngine {
    private static final Logger log = LoggerFactory.getLogger(KjarRuleEngine.class);

    private final KieServices ks = KieServices.Factory.get();
    private final KieContainer watched;
    private final KieScanner scanner;
    private final String coordinates;
    private final RuleSwap swap;
    /** The release of the rules in force; written after the swap (it only names them, decisions carry the version). */
    private volatile ReleaseId releaseId;
    /** The problems of the release refused last, until one builds: kie-ci retries it at every scan. */
    private List<String> lastRefused;

    private KjarRuleEngine(ReleaseId requested, Clock clock) {
        this.coordinates = requested.getGroupId() + ":" + requested.getArtifactId() + ":" + requested.getVersion();
        this.watched = ks.newKieContainer(requested);
        ReleaseId resolved = watched.getReleaseId();
        this.swap = new RuleSwap(coordinates, clock, build(resolved));
        this.releaseId = resolved;
        this.scanner = ks.newKieScanner(watched);
        scanner.addListener(new KieScannerEventListener() {
            @Override
            public void onKieScannerStatusChangeEvent(KieScannerStatusChangeEvent event) {
                // only results matter
            }

            @Override
            public void onKieScannerUpdateResultsEvent(KieScannerUpdateResultsEvent event) {
                onScanned(event.getResults().getMessages(Message.Level.ERROR));
            }
        });
    }

    /**
     * Resolves the KJAR and builds its rules; does not watch yet (see {@link #startScanning}).
     *
     * @param version a fixed version, a range such as {@code [1.0.0,)}, {@code LATEST}, or a snapshot
     * @throws RuleBuildException when the release's rules do not build or break the id convention
     * @throws RuntimeException from kie-ci when the artifact cannot be resolved
     */
    public static KjarRuleEngine start(String groupId, String artifactId, String version) {
        return start(groupId, artifactId, version, Clock.systemUTC());
    }

    /**
     * As {@link #start(String, String, String)} with {@code groupId:artifactId:version} in one string,
     * as {@code vigil.rules.release} holds it.
     *
     * @throws IllegalArgumentException when it is not three non-blank parts separated by colons
     */
    public static KjarRuleEngine start(String coordinates) {
        String[] gav = parseCoordinates(coordinates);
        return start(gav[0], gav[1], gav[2]);
    }

    /** Splits {@code groupId:artifactId:version}, or says what is wrong with it. */
    public static String[] parseCoordinates(String coordinates) {
        String[] gav = coordinates.split(":", -1);
        if (gav.length != 3 || java.util.Arrays.stream(gav).anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("expected groupId:artifactId:version (a version, a range such as "
                    + "[1.0.0,), LATEST or a -SNAPSHOT), not '" + coordinates + "'");
        }
        for (int i = 0; i < 3; i++) gav[i] = gav[i].trim();
        return gav;
    }

    static KjarRuleEngine start(String groupId, String artifactId, String version, Clock clock) {
        ReleaseId id = KieServices.Factory.get().newReleaseId(groupId, artifactId, version);
        return new KjarRuleEngine(id, clock);
    }

    /**
     * Points kie-ci at a Maven settings file (its {@code <localRepository>}, its repositories) and
     * keeps it from going to the network. kie-ci caches its settings and repository system for the
     * JVM, so this also drops those caches; call it before any KJAR is resolved.
     */
    public static void useMavenSettings(Path settingsXml) {
        useMavenSettings(settingsXml, true);
    }

    /**
     * As {@link #useMavenSettings(Path)}; with {@code forceOffline} false the settings file decides
     * ({@code <offline>}), so a service can follow releases published to a remote repository.
     */
    public static void useMavenSettings(Path settingsXml, boolean forceOffline) {
        if (!java.nio.file.Files.isRegularFile(settingsXml)) {
            throw new IllegalArgumentException("no Maven settings file at " + settingsXml.toAbsolutePath());
        }
        System.setProperty(org.kie.maven.integration.embedder.MavenSettings.CUSTOM_SETTINGS_PROPERTY,
                settingsXml.toAbsolutePath().toString());
        org.kie.maven.integration.embedder.MavenSettings.reinitSettings();
        // A settings file that says <offline> is taken at its word: kie-ci then resolves nothing remote either.
        forceOffline = forceOffline || org.kie.maven.integration.embedder.MavenSettings.getSettings().isOffline();
        if (forceOffline) System.setProperty("kie.maven.offline.force", "true");
        else System.clearProperty("kie.maven.offline.force");
        org.kie.maven.integration.Aether.instance = null;
        org.kie.maven.integration.MavenRepository.defaultMavenRepository = null;
        org.kie.scanner.KieMavenRepository.defaultMavenRepository = null;
        resetProjectLoader(forceOffline);
    }

    /**
     * kie-ci's MavenProjectLoader caches the running project (parsed with the settings of the time)
     * and reads kie.maven.offline.force once, at class initialisation: both outlive a change of
     * settings unless reset. Best effort: a kie-ci without these fields keeps its own behaviour.
     */
    private static void resetProjectLoader(boolean forceOffline) {
        try {
            Class<?> loader = Class.forName("org.kie.maven.integration.MavenProjectLoader");
            java.lang.reflect.Field project = loader.getDeclaredField("mavenProject");
            project.setAccessible(true);
            project.set(null, null);
            java.lang.reflect.Field offline = loader.getDeclaredField("IS_FORCE_OFFLINE");
            offline.setAccessible(true);
            offline.setBoolean(null, forceOffline);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("kie-ci's project loader not reset: {}", e.toString());
        }
    }

    /** Undoes {@link #useMavenSettings}: kie-ci reads the default settings again (tests restore the JVM with it). */
    static void useDefaultMavenSettings() {
        System.clearProperty(org.kie.maven.integration.embedder.MavenSettings.CUSTOM_SETTINGS_PROPERTY);
        System.clearProperty("kie.maven.offline.force");
        org.kie.maven.integration.embedder.MavenSettings.reinitSettings();
        org.kie.maven.integration.Aether.instance = null;
        org.kie.maven.integration.MavenRepository.defaultMavenRepository = null;
        org.kie.scanner.KieMavenRepository.defaultMavenRepository = null;
        resetProjectLoader(false);
    }

    /** Scans the repository every {@code interval} for a newer release (kie-ci's own thread). */
    public KjarRuleEngine startScanning(Duration interval) {
        scanner.start(interval.toMillis());
        return this;
    }

    /** Looks for a newer release now and, if there is one, applies or refuses it before returning. */
    public void scanNow() {
        scanner.scanNow();
    }

    /** Called with every applied or refused release, on the scanner's thread. */
    @Override
    public KjarRuleEngine addListener(Consumer<RuleReload> listener) {
        swap.addListener(listener);
        return this;
    }

    /** The coordinates asked for, e.g. {@code dev.vigil:vigil-rules:[2026.11.0,)}. */
    @Override
    public String source() {
        return coordinates;
    }

    private synchronized void onScanned(List<Message> errors) {
        ReleaseId now = watched.getReleaseId();
        if (!errors.isEmpty()) {
            // The container stays on the running release; the one that failed is the newest the coordinates find.
            String candidate = newestRelease();
            List<String> problems = new ArrayList<>();
            for (Message m : errors) problems.add(coordinates + " -> " + candidate + ": " + BuildProblems.oneLine(m.getText()));
            // kie-ci tries the same broken release again at every scan: refuse it once, not once a scan.
            if (problems.equals(lastRefused)) {
                log.debug("Rules release {} still does not build; {} stays in force", candidate, swap.current().version());
                return;
            }
            lastRefused = problems;
            swap.refuse(problems);
            return;
        }
        lastRefused = null;
        if (sameRelease(now, releaseId)) return;
        swap.offer(now.toString(), () -> build(now))
                .filter(r -> r.outcome() == RuleReload.Outcome.APPLIED)
                .ifPresent(r -> releaseId = now);
    }

    /** The release the configured coordinates resolve to now, for naming a refused one. */
    private String newestRelease() {
        try {
            org.eclipse.aether.version.Version v =
                    org.kie.scanner.KieMavenRepository.getKieMavenRepository().resolveVersion(coordinates);
            if (v != null) return coordinates.substring(0, coordinates.lastIndexOf(':') + 1) + v;
        } catch (RuntimeException e) {
            log.debug("cannot resolve the newest release of {}: {}", coordinates, e.toString());
        }
        return "a newer release of " + coordinates;
    }

    private static boolean sameRelease(ReleaseId a, ReleaseId b) {
        return a.getGroupId().equals(b.getGroupId()) && a.getArtifactId().equals(b.getArtifactId())
                && a.getVersion().equals(b.getVersion())
                && !a.getVersion().endsWith("-SNAPSHOT"); // a snapshot may change under the same version
    }

    /** A fresh container and rule base for one release: never the one the scanner updates in place. */
    private DroolsRuleEngine build(ReleaseId release) {
        KieContainer container = ks.newKieContainer(release);
        List<Message> errors = container.verify().getMessages(Message.Level.ERROR);
        if (!errors.isEmpty()) {
            List<String> problems = new ArrayList<>();
            for (Message m : errors) problems.add(release + ": " + BuildProblems.oneLine(m.getText()));
            throw new RuleBuildException(problems);
        }
        KieModule module = ks.getRepository().getKieModule(release);
        RuleSetVersion version = new RuleSetVersion(release.getVersion(), contentHash(module));
        return DroolsRuleEngine.fromKieBase(container.getKieBase(), version,
                release.getGroupId() + ":" + release.getArtifactId() + ":" + release.getVersion());
    }

    /**
     * SHA-256 over the release's rule files and kmodule.xml, in name order, each as name, newline,
     * size, newline, bytes (as {@link RuleFiles#contentHash()}); hex, first 16 characters.
     */
    static String contentHash(KieModule module) {
        if (!(module instanceof InternalKieModule internal)) return "unknown";
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            List<String> names = new ArrayList<>(internal.getFileNames());
            names.removeIf(n -> !isRuleSource(n));
            names.sort(null);
            for (String name : names) {
                byte[] bytes = internal.getBytes(name);
                if (bytes == null) continue;
                sha.update((name + "\n" + bytes.length + "\n").getBytes(StandardCharsets.UTF_8));
                sha.update(bytes);
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    private static boolean isRuleSource(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.equals("meta-inf/kmodule.xml") || n.endsWith(".drl") || n.endsWith(".dsl") || n.endsWith(".dslr")
                || n.endsWith(".xlsx") || n.endsWith(".xls") || n.endsWith(".csv");
    }

    @Override
    public DroolsRuleEngine current() {
        return swap.current();
    }

    /** The release now in force, e.g. {@code dev.vigil:vigil-rules:2026.11.2}. */
    public ReleaseId releaseId() {
        return releaseId;
    }

    @Override
    public void close() {
        swap.close();
        scanner.shutdown();
        watched.dispose();
    }
}
