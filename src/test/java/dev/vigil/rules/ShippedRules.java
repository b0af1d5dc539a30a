package dev.vigil.rules;

import java.nio.file.Path;

/**
 * The rules this repository ships, from {@code rules/} at the project root (Maven's working
 * directory), built once per test JVM: a build takes seconds, evaluations microseconds.
 */
final class ShippedRules {
    static final Path DIR = Path.of("rules");
    private static DroolsRuleEngine engine;

    private ShippedRules() {}

    static synchronized DroolsRuleEngine engine() {
        if (engine == null) engine = DroolsRuleEngine.load(DIR);
        return engine;
    }
}
