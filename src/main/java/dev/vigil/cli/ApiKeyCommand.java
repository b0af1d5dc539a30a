package dev.vigil.cli;

import dev.vigil.access.AccessStore;
import dev.vigil.config.Settings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vigil apikey create|revoke|list}: the payment rails' keys for {@code POST /v1/decisions}. */
@Command(name = "apikey", description = "Manage the payment rails' API keys for POST /v1/decisions.",
        subcommands = {ApiKeyCommand.Create.class, ApiKeyCommand.Revoke.class, ApiKeyCommand.ListKeys.class})
final class ApiKeyCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "create", description = "Create a key for a client; the key is printed once and never stored.")
    static final class Create implements Callable<Integer> {
        @Option(names = "--client", required = true, description = "The rail's name, recorded with each decision it asks for.") String client;

        @Override
        public Integer call() {
            try (AccessDatabase db = AccessDatabase.open(Settings.load())) {
                AccessStore.NewApiKey k = db.access().createApiKey(client, AccessStore.CLI_ACTOR);
                System.out.println("key id " + k.keyId() + " for client " + k.client() + "; send it as 'Authorization: Bearer <key>':");
                System.out.println(k.key());
                return 0;
            } catch (Exception e) {
                return UserCommand.fail("apikey create", e);
            }
        }
    }

    @Command(name = "revoke", description = "Revoke a key by its id (running Vigils refuse it within vigil.auth.api-key-cache).")
    static final class Revoke implements Callable<Integer> {
        @Parameters(index = "0", description = "The key id (see apikey list).") String keyId;

        @Override
        public Integer call() {
            try (AccessDatabase db = AccessDatabase.open(Settings.load())) {
                if (!db.access().revokeApiKey(keyId, AccessStore.CLI_ACTOR)) {
                    System.err.println("apikey revoke: no active key " + keyId);
                    return 1;
                }
                System.out.println("revoked " + keyId);
                return 0;
            } catch (Exception e) {
                return UserCommand.fail("apikey revoke", e);
            }
        }
    }

    @Command(name = "list", description = "List keys (never their secrets).")
    static final class ListKeys implements Callable<Integer> {
        @Override
        public Integer call() {
            try (AccessDatabase db = AccessDatabase.open(Settings.load())) {
                System.out.printf("%-14s %-20s %-28s %s%n", "KEY ID", "CLIENT", "CREATED", "REVOKED");
                for (AccessStore.ApiKeyInfo k : db.access().apiKeys()) {
                    System.out.printf("%-14s %-20s %-28s %s%n", k.keyId(), k.client(), k.createdAt(),
                            k.revokedAt() == null ? "-" : k.revokedAt() + " by " + k.revokedBy());
                }
                return 0;
            } catch (Exception e) {
                return UserCommand.fail("apikey list", e);
            }
        }
    }
}
