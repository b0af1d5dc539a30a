package dev.vigil.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.config.Settings;
import dev.vigil.event.EventCodec;
import dev.vigil.event.Topics;
import dev.vigil.simulate.Label;
import dev.vigil.simulate.SimulatedEvent;
import dev.vigil.simulate.SimulationConfig;
import dev.vigil.simulate.Simulator;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes simulated traffic as JSON lines (events in one file, labels apart in another) or sends it
 * to a Kafka cluster's vigil.transactions and vigil.account-events topics.
 */
@Command(name = "simulate", description = "Generate labelled payment traffic to files (JSON lines) or to Kafka.")
final class SimulateCommand implements Runnable {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Option(names = "--accounts", defaultValue = "2000", description = "Accounts. Default: ${DEFAULT-VALUE}.")
    int accounts;

    @Option(names = "--transactions", defaultValue = "100000", description = "Transactions to generate. Default: ${DEFAULT-VALUE}.")
    long transactions;

    @Option(names = "--seed", defaultValue = "42", description = "Seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--start", description = "Event time of the first event (RFC 3339). Default: 30 days ago.")
    Instant start;

    @Option(names = "--out", description = "Events file (JSON lines: account events and transactions, in event-time order).")
    Path out;

    @Option(names = "--labels", description = "Labels file (JSON lines: transaction_id, suspicious, scenario). Default: beside --out.")
    Path labels;

    @Option(names = "--kafka", description = "Send to this Kafka bootstrap address instead of files.")
    String kafka;

    @Override
    public void run() {
        if ((out == null) == (kafka == null)) throw new IllegalArgumentException("give exactly one of --out FILE or --kafka HOST:PORT");
        Instant first = start != null ? start : Instant.now().minus(Duration.ofDays(30));
        Iterator<SimulatedEvent> events = new Simulator(SimulationConfig.defaults(accounts, seed, first));
        EventCodec codec = new EventCodec(Clock.systemUTC(), Settings.load().maxFutureSkew(), Settings.load().maxEventBytes());
        if (out != null) toFiles(events, codec);
        else toKafka(events, codec);
    }

    private void toFiles(Iterator<SimulatedEvent> events, EventCodec codec) {
        Path labelFile = labels != null ? labels : out.resolveSibling(out.getFileName() + ".labels");
        long written = 0;
        long suspicious = 0;
        try (OutputStream ev = new BufferedOutputStream(Files.newOutputStream(out));
             OutputStream lb = new BufferedOutputStream(Files.newOutputStream(labelFile))) {
            while (written < transactions) {
                SimulatedEvent e = events.next();
                if (e instanceof SimulatedEvent.Account a) {
                    ev.write(codec.write(a.event()));
                    ev.write('\n');
                } else if (e instanceof SimulatedEvent.Transaction t) {
                    ev.write(codec.write(t.event()));
                    ev.write('\n');
                    lb.write(MAPPER.writeValueAsBytes(labelJson(t.label())));
                    lb.write('\n');
                    written++;
                    if (t.label().suspicious()) suspicious++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.printf("Wrote %,d transactions (%,d labelled suspicious) and their account events to %s; labels to %s%n",
                written, suspicious, out, labelFile);
    }

    private void toKafka(Iterator<SimulatedEvent> events, EventCodec codec) {
        long written = 0;
        try (var producer = new KafkaProducer<String, byte[]>(Map.of("bootstrap.servers", kafka, "linger.ms", 10, "acks", "all"),
                new StringSerializer(), new ByteArraySerializer())) {
            while (written < transactions) {
                SimulatedEvent e = events.next();
                if (e instanceof SimulatedEvent.Account a) {
                    producer.send(new ProducerRecord<>(Topics.ACCOUNT_EVENTS, a.event().accountId(), codec.write(a.event())));
                } else if (e instanceof SimulatedEvent.Transaction t) {
                    producer.send(new ProducerRecord<>(Topics.TRANSACTIONS, t.event().accountId(), codec.write(t.event())));
                    written++;
                }
            }
            producer.flush();
        }
        System.out.printf("Sent %,d transactions and their account events to %s%n", written, kafka);
    }

    static ObjectNode labelJson(Label l) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("transaction_id", l.transactionId());
        n.put("suspicious", l.suspicious());
        if (l.scenario() != null) n.put("scenario", l.scenario().name());
        return n;
    }
}
