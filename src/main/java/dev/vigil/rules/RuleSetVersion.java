package dev.vigil.rules;

import java.util.Objects;

/**
 * Which rules made a decision.
 *
 * @param label the human version from {@code rules/VERSION}, e.g. {@code 2026.11.1}
 * @param contentHash SHA-256 over every rule file's path and bytes, in path order (hex, first 16 chars)
 */
public record RuleSetVersion(String label, String contentHash) {
    public RuleSetVersion {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(contentHash, "contentHash");
    }

    @Override
    public String toString() {
        return label + "+" + contentHash;
    }
}
