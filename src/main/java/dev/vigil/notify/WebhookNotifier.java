package dev.vigil.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends notifications to a Slack-compatible incoming webhook ({@code POST {"text": "..."}}) from
 * its own thread. {@link #notify} only puts the message on a bounded queue and returns at once:
 * a slow or failing webhook never holds up the caller. Each message is tried up to
 * {@code attempts} times with doubling back-off; a full queue drops the newest message, logged
 * and counted.
 */
public final class WebhookNotifier implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookNotifier.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final URI url;
    private final int attempts;
    private final Duration firstBackoff;
    private final HttpClient http;
    private final BlockingQueue<String> queue;
    private final Thread thread;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;

    /**
     * @param attempts tries per message, at least 1
     * @param firstBackoff wait after the first failure; doubled after each further one
     * @param capacity messages that may wait; more are dropped
     */
    public WebhookNotifier(URI url, int attempts, Duration firstBackoff, int capacity) {
        this.url = Objects.requireNonNull(url, "url");
        if (!url.getScheme().equals("http") && !url.getScheme().equals("https")) {
            throw new IllegalArgumentException("webhook URL must be http or https: " + url);
        }
        if (attempts < 1) throw new IllegalArgumentException("attempts " + attempts);
        this.attempts = attempts;
        this.firstBackoff = Objects.requireNonNull(firstBackoff, "firstBackoff");
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(this::loop, "vigil-webhook");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues {@code text}; never blocks. @return false when the queue was full and it was dropped */
    public boolean notify(String text) {
        if (closed) return false;
        if (queue.offer(text)) return true;
        dropped.incrementAndGet();
        log.warn("webhook queue full ({} waiting): notification dropped: {}", queue.size(), text);
        return false;
    }

    /** Messages delivered (the webhook answered 2xx). */
    public long sent() { return sent.get(); }
    /** Messages given up after every attempt failed. */
    public long failed() { return failed.get(); }
    /** Messages dropped because the queue was full. */
    public long dropped() { return dropped.get(); }

    private void loop() {
        while (!closed || !queue.isEmpty()) {
            String text;
            try {
                text = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (text != null) deliver(text);
        }
    }

    private void deliver(String text) {
        byte[] body = MAPPER.createObjectNode().put("text", text).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        long backoff = firstBackoff.toMillis();
        for (int attempt = 1; attempt <= attempts; attempt++) {
            String problem;
            try {
                HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() / 100 == 2) {
                    sent.incrementAndGet();
                    return;
                }
                problem = "HTTP " + r.statusCode();
            } catch (java.io.IOException e) {
                problem = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (attempt == attempts) {
                failed.incrementAndGet();
                log.error("webhook {} failed {} times, notification given up ({}): {}", url.getHost(), attempts, problem, text);
                return;
            }
            log.warn("webhook {} attempt {} of {} failed ({}); retrying in {} ms", url.getHost(), attempt, attempts, problem, backoff);
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            backoff *= 2;
        }
    }

    /** Stops taking messages and gives the queued ones up to {@code grace} to go out. */
    public void close(Duration grace) {
        closed = true;
        try {
            thread.join(grace.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(2));
    }
}
