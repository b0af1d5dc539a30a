package dev.vigil.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C handling that lets the main thread finish cleanly: the hook wakes the main thread and then
 * waits for it to say it is done, so in-flight work completes before the JVM exits.
 */
final class Shutdown {
    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);

    Shutdown() {
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

    /** Waits up to the timeout for Ctrl-C; true if it came. */
    boolean await(long millis) throws InterruptedException {
        return requested.await(millis, TimeUnit.MILLISECONDS);
    }

    void await() throws InterruptedException {
        requested.await();
    }

    /** Call when the clean-up is done. */
    void finished() {
        finished.countDown();
    }
}
