package dev.vigil.cli;

import dev.vigil.Vigil;
import dev.vigil.config.Settings;
import picocli.CommandLine.Command;

/** Runs the platform until stopped: Kafka and HTTP in, decisions out. */
@Command(name = "run", description = "Run the platform (embedded services unless configured otherwise) until Ctrl-C.")
final class RunCommand implements Runnable {
    @Override
    public void run() {
        Settings settings = Settings.load();
        Shutdown shutdown = new Shutdown();
        try (Vigil vigil = Vigil.start(settings)) {
            System.out.printf("Vigil is running. HTTP: http://%s:%d/v1/decisions  Kafka: %s  Ctrl-C stops it.%n",
                    settings.httpHost(), settings.httpPort(), vigil.services().kafkaBootstrap());
            System.out.printf("Console: http://%s:%d/console/ (add users with ./vigil user add NAME --role analyst)%n",
                    settings.httpHost(), settings.httpPort());
            shutdown.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            shutdown.finished();
        }
    }
}
