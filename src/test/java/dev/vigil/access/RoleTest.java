package dev.vigil.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoleTest {
    /** The permission table as docs/console.md states it; a change to Role must change this on purpose. */
    static final Map<Role, Set<Permission>> EXPECTED = Map.of(
            Role.ANALYST, EnumSet.of(Permission.VIEW_CASES, Permission.ACT_ON_CASES, Permission.VIEW_OVERVIEW),
            Role.SENIOR_ANALYST, EnumSet.of(Permission.VIEW_CASES, Permission.ACT_ON_CASES, Permission.APPROVE_RELEASE, Permission.VIEW_OVERVIEW),
            Role.RULE_AUTHOR, EnumSet.of(Permission.VIEW_OVERVIEW),
            Role.AUDITOR, EnumSet.of(Permission.VIEW_CASES, Permission.VIEW_OVERVIEW, Permission.READ_AUDIT),
            Role.ADMIN, EnumSet.of(Permission.VIEW_OVERVIEW, Permission.READ_AUDIT, Permission.MANAGE_ACCESS, Permission.SCRAPE_METRICS));

    @Test
    void shouldGrantEachRoleExactlyTheDocumentedPermissions() {
        for (Role r : Role.values()) {
            assertEquals(EXPECTED.get(r), r.permissions(), r.name());
            for (Permission p : Permission.values()) assertEquals(EXPECTED.get(r).contains(p), Principal.user("u", List.of(r)).may(p), r + " " + p);
        }
    }

    @Test
    void shouldGiveAnApiClientNoConsolePermission() {
        for (Permission p : Permission.values()) assertFalse(Principal.client("rail").may(p), p.name());
    }

    @Test
    void shouldParseRoleNamesAsTyped() {
        assertEquals(Role.SENIOR_ANALYST, Role.parse("senior-analyst"));
        assertEquals(Role.RULE_AUTHOR, Role.parse(" Rule_Author "));
    }
}
