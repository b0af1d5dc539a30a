package dev.vigil.route;

import dev.vigil.audit.Rejection;
import dev.vigil.decision.Decision;
import dev.vigil.decision.DecisionJson;
import dev.vigil.event.Topics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.IllegalGenerationException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fourth stage: every decision to {@code vigil.decisions}, REVIEW and BLOCK also to
 * {@code vigil.alerts}, rejections to {@code vigil.dlq} with their original bytes.
 *
 * <p>On the Kafka path the batch's output and its consumer offsets commit in one Kafka
 * transaction, after the audit commit: a batch delivered again after a crash or a rebalance cannot
 * leave its decisions published twice for a {@code read_committed} reader. On the HTTP path the
 * decision is published and acknowledged before the caller gets the answer.
 */
public final class PublishStage {
    /** Per Kafka transaction, at DEBUG: who committed which records under which group generation (issue 7). */
    private static final Logger transactions = LoggerFactory.getLogger("dev.vigil.route.KafkaTransactions");
    /** DLQ record headers. */
    public static final String REASON_CODE = "vigil.reason.code";
    public static final String REASON_MESSAGE = "vigil.reason.message";
    public static final String SOURCE = "vigil.source";

    private final Producer<String, byte[]> producer;
    private final TransactionalProducers transactional;
    private final CommittedOffsets committedOffsets;
    private final Retrying retrying;
    private final PipelineMetrics metrics;

    /** @param committedOffsets the same object the intake reads; moved forward after each committed transaction */
    PublishStage(Producer<String, byte[]> producer, TransactionalProducers transactional, CommittedOffsets committedOffsets,
                 Retrying retrying, PipelineMetrics metrics) {
        this.producer = producer;
        this.transactional = transactional;
        this.committedOffsets = committedOffsets;
        this.retrying = retrying;
        this.metrics = metrics;
    }

    /** HTTP: publish and wait for the broker's acknowledgement. */
    public Batch publish(Batch batch) {
        long start = System.nanoTime();
        retrying.run("kafka", batch, () -> await(send(producer, batch)));
        metrics.recordStage("publish", System.nanoTime() - start);
        return batch;
    }

    /**
     * Last stage of the Kafka routes: the batch's output and its consumer offsets in one
     * transaction. Runs on the consumer's own thread, as the consumer's group metadata requires.
     */
    public void publishAndCommitOffsets(Batch batch) {
        long start = System.nanoTime();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        Consumer<?, ?> consumer = null;
        for (KafkaManualCommit handle : batch.lastCommitPerPartition.values()) {
            DefaultKafkaManualCommit c = (DefaultKafkaManualCommit) handle;
            consumer = c.getConsumer();
            offsets.put(c.getPartition(), new OffsetAndMetadata(c.getRecordOffset() + 1));
        }
        Consumer<?, ?> source = consumer;
        // The group metadata is read on each attempt: it carries the generation the broker checks.
        retrying.run("kafka", batch, () -> {
            ConsumerGroupMetadata group = source == null ? null : source.groupMetadata();
            try {
                inTransaction(batch, offsets, group);
            } catch (RuntimeException e) {
                // Committed or not, unknown: the next batch reads this consumer's committed offsets from the broker.
                if (source != null) committedOffsets.forget(source);
                throw e;
            }
            if (group != null && !offsets.isEmpty()) committedOffsets.committed(source, group.generationId(), offsets);
        });
        metrics.recordStage("publish+offsets", System.nanoTime() - start);
        metrics.recordBatch(System.nanoTime() - batch.arrivedNanos);
    }

    private void inTransaction(Batch batch, Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        Producer<String, byte[]> p = transactional.forThisThread();
        try {
            p.beginTransaction();
            send(p, batch);
            if (group != null && !offsets.isEmpty()) p.sendOffsetsToTransaction(offsets, group);
            try {
                p.commitTransaction();
                if (transactions.isDebugEnabled()) logCommitted(batch, offsets, group);
            } catch (TimeoutException | InterruptException e) {
                // The commit may have reached the coordinator: the decisions may be published already.
                // Aborting and sending them again in a new transaction could publish them twice. The
                // producer goes (its successor's initTransactions settles the open transaction either
                // way) and the batch goes back to Kafka: the redelivery's intake reads the committed
                // offsets and decides again only what this transaction did not commit.
                transactional.discardThisThread();
                throw new RedeliverBatchException("committing the Kafka transaction timed out; its outcome is unknown", e);
            }
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException
                 | UnsupportedVersionException e) {
            // This producer cannot be used again; a new one takes over on the retry.
            transactional.discardThisThread();
            throw e;
        } catch (KafkaException e) {
            try {
                p.abortTransaction();
            } catch (KafkaException abortFailed) {
                transactional.discardThisThread();
            }
            if (e instanceof CommitFailedException || e instanceof RebalanceInProgressException
                    || e instanceof IllegalGenerationException || e instanceof UnknownMemberIdException
                    || e instanceof FencedInstanceIdException) {
                throw new RedeliverBatchException("the consumer group rebalanced; the batch is given back to Kafka", e);
            }
            throw e;
        }
    }

    private void logCommitted(Batch batch, Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        Map<Integer, Long> byPartition = new TreeMap<>();
        offsets.forEach((p, o) -> byPartition.put(p.partition(), o.offset()));
        List<Decision> d = batch.decisions;
        transactions.debug("committed {} thread={} generation={} member={} offsets={} published={} transactions {}..{}",
                transactional.idOfThisThread(), Thread.currentThread().getName(), group == null ? -1 : group.generationId(),
                group == null ? "-" : group.memberId(), byPartition, batch.toPublish.stream().filter(b -> b).count(),
                d.isEmpty() ? "-" : d.get(0).transactionId(), d.isEmpty() ? "-" : d.get(d.size() - 1).transactionId());
    }

    private static List<Future<RecordMetadata>> send(Producer<String, byte[]> p, Batch batch) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < batch.decisions.size(); i++) {
            if (!batch.toPublish.get(i)) continue;
            Decision d = batch.decisions.get(i);
            byte[] json = DecisionJson.toBytes(d);
            String key = d.event().accountId();
            sent.add(p.send(new ProducerRecord<>(Topics.DECISIONS, key, json)));
            if (d.verdict().isAlert()) sent.add(p.send(new ProducerRecord<>(Topics.ALERTS, key, json)));
        }
        for (Rejection r : batch.rejections) {
            RecordHeaders headers = new RecordHeaders();
            headers.add(REASON_CODE, r.reason().name().getBytes(StandardCharsets.UTF_8));
            headers.add(REASON_MESSAGE, r.message().getBytes(StandardCharsets.UTF_8));
            headers.add(SOURCE, r.source().toString().getBytes(StandardCharsets.UTF_8));
            sent.add(p.send(new ProducerRecord<>(Topics.DLQ, null, null, r.transactionId(), r.rawEvent(), headers)));
        }
        return sent;
    }

    private void await(List<Future<RecordMetadata>> sent) {
        producer.flush();
        for (Future<RecordMetadata> f : sent) {
            try {
                f.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("publishing to Kafka failed: " + e.getCause().getMessage(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while publishing", e);
            }
        }
    }
}
