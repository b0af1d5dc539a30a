package dev.vigil.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Ctrl-C (SIGINT) and SIGTERM as a request to stop, not an immediate JVM shutdown: the embedded
 * servers register shutdown hooks of their own that would stop PostgreSQL and Redis under the
 * in-flight batch. So the signal only wakes the main thread, which finishes the batch, closes
 * everything in order and exits. A second Ctrl-C exits at once.
 */
final class Shutdown {
    private static final Logger log = LoggerFactory.getLogger(Shutdown.class);

    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);

    Shutdown() {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal.handle(new Signal(name), s -> {
                    if (requested.getCount() == 0) Runtime.getRuntime().halt(130);
                    System.err.println();
                    System.err.println("Stopping: finishing the work in flight (Ctrl-C again to quit at once)...");
                    requested.countDown();
                });
            } catch (IllegalArgumentException e) {
                log.debug("signal {} cannot be handled here: {}", name, e.toString());
            }
        }
        // Any other way the JVM is asked to stop: still give the main thread time to finish.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            requested.countDown();
            try {
                finished.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "vigil-shutdown"));
    }

    boolean isRequested() {
        return requested.getCount() == 0;
    }

    void await() throws InterruptedException {
        requested.await();
    }

    /** Call when the clean-up is done. */
    void finished() {
        finished.countDown();
    }
}
