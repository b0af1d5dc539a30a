package dev.vigil.cases;

import dev.vigil.event.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/** Publishes labels on {@code vigil.labels}, keyed by account id, and waits for the broker's acknowledgement. */
public final class KafkaLabelSink implements LabelSink {
    private final Producer<String, byte[]> producer;

    public KafkaLabelSink(Producer<String, byte[]> producer) {
        this.producer = Objects.requireNonNull(producer, "producer");
    }

    @Override
    public void publish(List<AnalystLabel> labels) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (AnalystLabel l : labels) sent.add(producer.send(new ProducerRecord<>(Topics.LABELS, l.accountId(), l.toJson())));
        producer.flush();
        for (Future<RecordMetadata> f : sent) {
            try {
                f.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw new IllegalStateException("publishing a label to " + Topics.LABELS + " failed: " + e.getCause(), e.getCause());
            } catch (TimeoutException e) {
                throw new IllegalStateException("publishing a label to " + Topics.LABELS + " timed out", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted publishing labels", e);
            }
        }
    }
}
