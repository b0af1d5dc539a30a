package dev.vigil.access;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * A console user's role. Admins manage access but do not work cases, and auditors only read:
 * separation of duties, so no one can both change who may act and act.
 */
public enum Role {
    ANALYST(EnumSet.of(Permission.VIEW_CASES, Permission.ACT_ON_CASES, Permission.VIEW_OVERVIEW)),
    SENIOR_ANALYST(EnumSet.of(Permission.VIEW_CASES, Permission.ACT_ON_CASES, Permission.APPROVE_RELEASE,
            Permission.VIEW_OVERVIEW)),
    RULE_AUTHOR(EnumSet.of(Permission.VIEW_OVERVIEW)),
    AUDITOR(EnumSet.of(Permission.VIEW_CASES, Permission.VIEW_OVERVIEW, Permission.READ_AUDIT)),
    ADMIN(EnumSet.of(Permission.VIEW_OVERVIEW, Permission.READ_AUDIT, Permission.MANAGE_ACCESS, Permission.SCRAPE_METRICS));

    private final Set<Permission> permissions;

    Role(Set<Permission> permissions) {
        this.permissions = permissions;
    }

    public Set<Permission> permissions() {
        return EnumSet.copyOf(permissions);
    }

    public boolean grants(Permission p) {
        return permissions.contains(p);
    }

    /** True when any of {@code roles} grants {@code p}. */
    public static boolean anyGrants(Collection<Role> roles, Permission p) {
        for (Role r : roles) if (r.grants(p)) return true;
        return false;
    }

    /** {@code analyst}, {@code senior-analyst}, {@code SENIOR_ANALYST}: case and dash insensitive. */
    public static Role parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown role '" + s + "'; one of analyst, senior-analyst, rule-author, auditor, admin");
        }
    }
}
