package dev.vigil.cli;

import dev.vigil.access.AccessStore;
import dev.vigil.access.Role;
import dev.vigil.config.Settings;
import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vigil user add|list|passwd|roles|disable|enable}: the console's users. */
@Command(name = "user", description = "Manage console users (roles: analyst, senior-analyst, rule-author, auditor, admin).",
        subcommands = {UserCommand.Add.class, UserCommand.ListUsers.class, UserCommand.Passwd.class, UserCommand.Roles.class,
                UserCommand.Disable.class, UserCommand.Enable.class})
final class UserCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** Reads a password from the terminal (twice, not echoed) or, without one, a line of standard input. */
    static char[] readPassword(String prompt) throws Exception {
        Console console = System.console();
        if (console != null) {
            char[] a = console.readPassword("%s: ", prompt);
            char[] b = console.readPassword("again: ");
            if (a == null || b == null || !java.util.Arrays.equals(a, b)) throw new IllegalArgumentException("the passwords differ");
            return a;
        }
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (line == null) throw new IllegalArgumentException("no password on standard input");
        return line.toCharArray();
    }

    static List<Role> roles(List<String> names) {
        List<Role> out = new ArrayList<>();
        for (String n : names) for (String one : n.split(",")) out.add(Role.parse(one));
        return out;
    }

    static int fail(String what, Exception e) {
        System.err.println(what + ": " + e.getMessage());
        return 1;
    }

    @Command(name = "add", description = "Add a user; the password is asked for (or read as one line of standard input).")
    static final class Add implements Callable<Integer> {
        @Parameters(index = "0", description = "Username: lower-case letters, digits, . _ -") String username;
        @Option(names = "--role", required = true, description = "A role; repeat or separate with commas.") List<String> roles;
        @Option(names = "--name", description = "Display name. Default: the username.") String displayName;

        @Override
        public Integer call() {
            try (AccessDatabase db = AccessDatabase.open(Settings.load())) {
                List<Role> r = roles(roles);
                db.access().addUser(username, displayName, r, readPassword("password for " + username), AccessStore.CLI_ACTOR);
                System.out.println("added " + username + " " + r);
                return 0;
            } catch (Exception e) {
                return fail("user add", e);
            }
        }
    }

    @Command(name = "list", description = "List users and their roles.")
    static final class ListUsers implements Callable<Integer> {
        @Override
        public Integer call() {
            try (AccessDatabase db = AccessDatabase.open(Settings.load())) {
                System.out.printf("%-20s %-30s %-9s %s%n", "USERNAME", "ROLES", "STATE", "NAME");
                for (AccessStore.UserInfo u : db.access().users()) {
                    System.out.printf("%-20s %-30s %-9s %s%n", u.username(), u.roles(), u.disabled() ? "disabled" : "active", u.displayName());
                }
                return 0;
            } catch (Exception e) {
                return fail("user list", e);
            }
        }
    }

    @Command(name = "passwd", description = "Set a user's password (asked for, or one line of standard input).")
    static final class Passwd implements Callable<Integer> {
        @Parameters(index = "0") String username;

        @Override
        public Integer call() {
            try (AccessDatabase db = AccessDatabase.open(Settings.load())) {
                db.access().setPassword(username, readPassword("new password for " + username), AccessStore.CLI_ACTOR);
                System.out.println("password set for " + username);
                return 0;
            } catch (Exception e) {
                return fail("user passwd", e);
            }
        }
    }

    @Command(name = "roles", description = "Replace a user's roles.")
    static final class Roles implements Callable<Integer> {
        @Parameters(index = "0") String username;
        @Option(names = "--role", required = true, description = "A role; repeat or separate with commas.") List<String> roles;

        @Override
        public Integer call() {
            try (AccessDatabase db = AccessDatabase.open(Settings.load())) {
                db.access().setRoles(username, roles(roles), AccessStore.CLI_ACTOR);
                System.out.println(username + " now has " + roles(roles));
                return 0;
            } catch (Exception e) {
                return fail("user roles", e);
            }
        }
    }

    @Command(name = "disable", description = "Disable a user and end their sessions.")
    static final class Disable implements Callable<Integer> {
        @Parameters(index = "0") String username;

        @Override
        public Integer call() {
            try (AccessDatabase db = AccessDatabase.open(Settings.load())) {
                db.access().setDisabled(username, true, AccessStore.CLI_ACTOR);
                System.out.println("disabled " + username);
                return 0;
            } catch (Exception e) {
                return fail("user disable", e);
            }
        }
    }

    @Command(name = "enable", description = "Enable a disabled user.")
    static final class Enable implements Callable<Integer> {
        @Parameters(index = "0") String username;

        @Override
        public Integer call() {
            try (AccessDatabase db = AccessDatabase.open(Settings.load())) {
                db.access().setDisabled(username, false, AccessStore.CLI_ACTOR);
                System.out.println("enabled " + username);
                return 0;
            } catch (Exception e) {
                return fail("user enable", e);
            }
        }
    }
}
