package dev.vigil.event;

import java.util.Objects;

/**
 * Where an event came in, so a rejection or a decision can be traced to its delivery.
 *
 * @param channel {@code kafka} or {@code http}
 * @param ref for Kafka {@code topic/partition/offset}; for HTTP the request id
 */
public record EventSource(String channel, String ref) {
    public EventSource {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(ref, "ref");
    }

    public static EventSource kafka(String topic, int partition, long offset) {
        return new EventSource("kafka", topic + "/" + partition + "/" + offset);
    }

    public static EventSource http(String requestId) {
        return new EventSource("http", requestId);
    }

    @Override
    public String toString() {
        return channel + ":" + ref;
    }
}
