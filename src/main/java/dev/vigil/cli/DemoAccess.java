package dev.vigil.cli;

import dev.vigil.access.AccessStore;
import dev.vigil.access.Role;
import dev.vigil.config.Settings;
import java.security.SecureRandom;
import java.util.List;

/**
 * The demo's people and rail: an analyst and a senior analyst (so four-eyes releases can be
 * tried) with fresh passwords each run, and an API key for the simulated rail's HTTP share.
 */
final class DemoAccess {
    static final String ANALYST = "analyst";
    static final String SENIOR = "senior";
    private static String analystPassword;
    private static String seniorPassword;

    private DemoAccess() {}

    /** @return the demo rail's API key */
    static String prepare(AccessStore access, Settings settings) {
        analystPassword = password();
        seniorPassword = password();
        upsert(access, ANALYST, "Demo analyst", Role.ANALYST, analystPassword);
        upsert(access, SENIOR, "Demo senior analyst", Role.SENIOR_ANALYST, seniorPassword);
        String key = access.createApiKey("demo-rail", "demo").key();
        printLogin(settings);
        return key;
    }

    static void printLogin(Settings settings) {
        if (analystPassword == null) return;
        System.out.printf("Console: http://%s:%d/console/  log in as %s / %s (senior analyst: %s / %s);"
                + " while the demo runs, or later with ./vigil run%n", settings.httpHost(), settings.httpPort(),
                ANALYST, analystPassword, SENIOR, seniorPassword);
    }

    private static void upsert(AccessStore access, String user, String name, Role role, String password) {
        if (access.user(user).isPresent()) {
            access.setPassword(user, password.toCharArray(), "demo");
            access.setDisabled(user, false, "demo");
        } else {
            access.addUser(user, name, List.of(role), password.toCharArray(), "demo");
        }
    }

    /** Four groups of four from an alphabet without look-alikes: easy to type from the terminal. */
    private static String password() {
        String alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
        SecureRandom r = new SecureRandom();
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            if (i > 0 && i % 4 == 0) s.append('-');
            s.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return s.toString();
    }
}
