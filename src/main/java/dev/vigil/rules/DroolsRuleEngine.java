package dev.vigil.rules;

import dev.vigil.decision.Hit;
import dev.vigil.event.TransactionEvent;
import dev.vigil.feature.AccountProfile;
import dev.vigil.feature.Features;
import dev.vigil.score.ModelScore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.kie.api.KieBase;
import org.kie.api.KieServices;
import org.kie.api.builder.KieBuilder;
import org.kie.api.builder.KieFileSystem;
import org.kie.api.builder.Message;
import org.kie.api.builder.ReleaseId;
import org.kie.api.definition.KiePackage;
import org.kie.api.definition.rule.Rule;
import org.kie.api.io.ResourceType;
import org.kie.api.runtime.ClassObjectFilter;
import org.kie.api.runtime.KieSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Drools rule base built from a rules folder: {@code drl/*.drl}, {@code dsl/*.dsl} with
 * {@code dsl/*.dslr}, and {@code decision-tables/*.xlsx}. Built once, in memory, with the classic
 * engine; any build problem fails the load, so Vigil never decides with part of its rules.
 *
 * <p>Every rule's name must start with its stable id (see {@link RuleActions}), and ids are unique
 * across all files. Rules see one {@link TransactionEvent}, its {@link Features}, its
 * {@link ModelScore} and, when known, its {@link AccountProfile}, and insert {@link Hit}s.
 *
 * <p>Thread-safe: each {@link #evaluate} runs in its own short-lived session.
 */
public final class DroolsRuleEngine implements RuleEngine {
    private static final Logger log = LoggerFactory.getLogger(DroolsRuleEngine.class);

    /** A rule set that fires more often than this on one event is looping (a rule re-matching its own insert). */
    static final int MAX_FIRINGS_PER_EVENT = 1_000;

    private static final String RESOURCES = "src/main/resources/";
    private static final AtomicLong BUILDS = new AtomicLong();

    /**
     * One rule of the loaded rule base.
     *
     * @param id the stable id its name starts with, e.g. {@code VEL-001}
     * @param name the full rule name
     * @param file the rule file it came from, e.g. {@code rules/drl/velocity.drl}
     */
    public record LoadedRule(String id, String name, String file) {}

    private final KieBase kieBase;
    private final RuleSetVersion version;
    private final List<LoadedRule> rules;

    private DroolsRuleEngine(KieBase kieBase, RuleSetVersion version, List<LoadedRule> rules) {
        this.kieBase = kieBase;
        this.version = version;
        this.rules = rules;
    }

    /**
     * Reads and compiles every rule file under {@code rulesDir}.
     *
     * @param rulesDir the rules folder, holding {@code VERSION} and the {@code drl/}, {@code dsl/}
     *     and {@code decision-tables/} folders
     * @throws RuleBuildException listing each problem with its file (nothing is half-loaded)
     */
    public static DroolsRuleEngine load(Path rulesDir) {
        long start = System.nanoTime();
        RuleFiles files = RuleFiles.read(rulesDir);
        RuleSetVersion version = new RuleSetVersion(files.label, files.contentHash());

        KieServices ks = KieServices.Factory.get();
        // A release id of its own per build: the in-memory KieRepository is JVM-wide, and two
        // engines built at once (a reload, parallel tests) must not pick up each other's module.
        ReleaseId releaseId = ks.newReleaseId("dev.vigil", "vigil-rules",
                "0.0." + BUILDS.incrementAndGet() + "-" + version.contentHash());
        KieFileSystem kfs = ks.newKieFileSystem();
        kfs.generateAndWritePomXML(releaseId);
        List<String> problems = new ArrayList<>();
        Map<String, BuildProblems.Origin> origins = new HashMap<>();
        for (RuleFiles.RuleFile f : files.files) {
            String display = files.display(f.path());
            if (f.type() == ResourceType.DTABLE) {
                List<DecisionTables.SheetDrl> sheets = DecisionTables.toDrl(display, f.bytes(), problems);
                for (int i = 0; i < sheets.size(); i++) {
                    String path = f.path() + ".sheet" + (i + 1) + ".drl";
                    kfs.write(RESOURCES + path, sheets.get(i).drl());
                    BuildProblems.Origin origin = new BuildProblems.Origin(display, sheets.get(i));
                    origins.put(RESOURCES + path, origin);
                    origins.put(path, origin);
                }
            } else {
                kfs.write(RESOURCES + f.path(), ks.getResources().newByteArrayResource(f.bytes()).setResourceType(f.type()));
                BuildProblems.Origin origin = new BuildProblems.Origin(display, null);
                origins.put(RESOURCES + f.path(), origin);
                origins.put(f.path(), origin);
            }
        }

        // Everything is compiled even when a spreadsheet already failed, so one load reports every problem.
        KieBuilder builder = ks.newKieBuilder(kfs).buildAll();
        List<String> errors = new ArrayList<>();
        for (Message m : builder.getResults().getMessages()) {
            String text = BuildProblems.describe(m, origins);
            if (m.getLevel() == Message.Level.ERROR) errors.add(text);
            else log.warn("Rule build {}: {}", m.getLevel(), text);
        }
        if (errors.size() > 1) errors.removeIf(e -> e.endsWith(BuildProblems.NULL_PACKAGE));
        problems.addAll(errors);
        if (!problems.isEmpty()) throw new RuleBuildException(problems);

        KieBase kieBase;
        try {
            kieBase = ks.newKieContainer(releaseId).getKieBase();
        } finally {
            ks.getRepository().removeKieModule(releaseId);
        }
        List<LoadedRule> rules = checkRules(kieBase, files, origins);
        log.info("Rules {} loaded from {}: {} rules in {} files, {} ms", version, files.root, rules.size(),
                files.files.size(), (System.nanoTime() - start) / 1_000_000);
        return new DroolsRuleEngine(kieBase, version, rules);
    }

    /**
     * A rule engine over a rule base built elsewhere (a KJAR, see {@link KjarRuleEngine}), held to
     * the same id convention: every rule name starts with a stable id, ids are unique, and there is
     * at least one rule.
     *
     * @param source how problems and {@link LoadedRule#file()} name where the rules came from
     * @throws RuleBuildException listing each problem
     */
    static DroolsRuleEngine fromKieBase(KieBase kieBase, RuleSetVersion version, String source) {
        List<String> problems = new ArrayList<>();
        Map<String, String> fileById = new HashMap<>();
        List<LoadedRule> loaded = new ArrayList<>();
        for (KiePackage pkg : kieBase.getKiePackages()) {
            for (Rule rule : pkg.getRules()) {
                String file = source;
                if (rule instanceof org.drools.base.definitions.rule.impl.RuleImpl impl && impl.getResource() != null
                        && impl.getResource().getSourcePath() != null) {
                    file = source + "!/" + impl.getResource().getSourcePath();
                }
                if (!RuleIds.follows(rule.getName())) {
                    problems.add(file + ": rule '" + rule.getName()
                            + "' does not start with a stable id and a title (e.g. 'VEL-001 More than 5 in 60 s')");
                    continue;
                }
                String id = RuleIds.idOf(rule.getName());
                String previous = fileById.putIfAbsent(id, file + " ('" + rule.getName() + "')");
                if (previous != null) {
                    problems.add(file + ": rule id " + id + " of '" + rule.getName() + "' is already used in " + previous);
                }
                loaded.add(new LoadedRule(id, rule.getName(), file));
            }
        }
        if (loaded.isEmpty() && problems.isEmpty()) problems.add(source + ": holds no rules");
        if (!problems.isEmpty()) throw new RuleBuildException(problems);
        loaded.sort(Comparator.comparing(LoadedRule::id));
        return new DroolsRuleEngine(kieBase, version, List.copyOf(loaded));
    }

    /**
     * What Drools does not check but Vigil relies on: each rule name starts with a stable id, ids
     * are unique across all files, and every rule file (a .dsl only defines sentences) holds at
     * least one rule, so a file Drools skipped or a sheet it could not see is an error, not a gap.
     */
    private static List<LoadedRule> checkRules(KieBase kieBase, RuleFiles files, Map<String, BuildProblems.Origin> origins) {
        List<String> problems = new ArrayList<>();
        Map<String, String> fileById = new HashMap<>();
        Map<String, Integer> rulesByFile = new HashMap<>();
        List<LoadedRule> loaded = new ArrayList<>();
        for (KiePackage pkg : kieBase.getKiePackages()) {
            for (Rule rule : pkg.getRules()) {
                String file = BuildProblems.sourceOf(rule, origins);
                rulesByFile.merge(file, 1, Integer::sum);
                if (!RuleIds.follows(rule.getName())) {
                    problems.add(file + ": rule '" + rule.getName()
                            + "' does not start with a stable id and a title (e.g. 'VEL-001 More than 5 in 60 s')");
                    continue;
                }
                String id = RuleIds.idOf(rule.getName());
                loaded.add(new LoadedRule(id, rule.getName(), file));
                String previous = fileById.putIfAbsent(id, file + " ('" + rule.getName() + "')");
                if (previous != null) {
                    problems.add(file + ": rule id " + id + " of '" + rule.getName() + "' is already used in " + previous);
                }
            }
        }
        for (RuleFiles.RuleFile f : files.files) {
            if (f.type() == ResourceType.DSL) continue;
            String display = files.display(f.path());
            if (!rulesByFile.containsKey(display)) {
                problems.add(display + ": holds no rules (for a decision table: is there a RuleSet and a RuleTable?)");
            }
        }
        if (!problems.isEmpty()) throw new RuleBuildException(problems);
        loaded.sort(Comparator.comparing(LoadedRule::id));
        return List.copyOf(loaded);
    }

    @Override
    public List<Hit> evaluate(TransactionEvent transaction, Features features, AccountProfile account, ModelScore score) {
        return evaluateFacts(transaction, features, account, score);
    }

    /** {@link #evaluate}, with the features fact of any type: tests of rules written for features still to come. */
    List<Hit> evaluateFacts(TransactionEvent transaction, Object features, AccountProfile account, ModelScore score) {
        Objects.requireNonNull(transaction, "transaction");
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(score, "score");
        KieSession session = kieBase.newKieSession();
        try {
            session.insert(transaction);
            session.insert(features);
            session.insert(score);
            if (account != null) session.insert(account);
            int fired = session.fireAllRules(MAX_FIRINGS_PER_EVENT);
            if (fired >= MAX_FIRINGS_PER_EVENT) {
                throw new IllegalStateException("rules " + version + " fired " + fired + " times on transaction "
                        + transaction.transactionId() + ": a rule is re-matching its own inserts");
            }
            List<Hit> hits = new ArrayList<>();
            for (Object o : session.getObjects(new ClassObjectFilter(Hit.class))) hits.add((Hit) o);
            hits.sort(Comparator.comparing(Hit::ruleId).thenComparing(Hit::reason));
            return List.copyOf(hits);
        } finally {
            session.dispose();
        }
    }

    @Override
    public RuleSetVersion version() {
        return version;
    }

    /** The compiled rule base, for the benchmark that compares session strategies on it. */
    KieBase kieBase() {
        return kieBase;
    }

    /** Every loaded rule with the file it came from, by id. */
    public List<LoadedRule> rules() {
        return rules;
    }
}
