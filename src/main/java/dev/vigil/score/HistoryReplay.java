package dev.vigil.score;

import dev.vigil.event.TransactionEvent;
import dev.vigil.feature.Enrichment;
import dev.vigil.feature.Features;
import dev.vigil.feature.FeatureStore;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.zip.GZIPInputStream;

/**
 * Replays a labelled CSV history, in event time, through a {@link FeatureStore}: the same code that
 * enriches live events, so a model learns from exactly the features it will score on. Labels are
 * handed to a sink only once known ({@code labelDelay} after the transaction), before any event at or
 * after that time is enriched: a feature that reads labels cannot see one early. A label may be handed
 * over up to one batch late (a few seconds to minutes of event time), never early.
 */
public final class HistoryReplay {

    /** Transactions enriched per feature-store round trip. */
    static final int BATCH = 500;

    /** A label, handed over at {@code knownAt}. */
    public record KnownLabel(TransactionEvent event, boolean fraud, Instant knownAt) {}

    /**
     * The replayed history.
     *
     * @param rows the feature rows, labels and event times, in event-time order
     * @param customer each row's customer, as an index into {@code customers}
     * @param customers the distinct customer ids, in order of first appearance
     */
    public record Result(TrainingRows rows, int[] customer, List<String> customers) {

        /** Writes the result with a key naming what it was replayed from, for {@link #read}. */
        public void write(Path file, String key) {
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
                out.writeUTF(CACHE_FORMAT);
                out.writeUTF(key);
                out.writeInt(rows.columns());
                for (String f : rows.features()) out.writeUTF(f);
                out.writeInt(customers.size());
                for (String c : customers) out.writeUTF(c);
                int n = rows.size();
                out.writeInt(n);
                for (float v : rows.values()) out.writeFloat(v);
                for (int i = 0; i < n; i++) {
                    out.writeBoolean(rows.labels()[i]);
                    out.writeLong(rows.eventTimeMillis()[i]);
                    out.writeInt(customer[i]);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write replay cache " + file, e);
            }
        }

        /** The result written with this key, or null when the file is missing or was written for another key. */
        public static Result read(Path file, String key) {
            if (!Files.isRegularFile(file)) return null;
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
                if (!CACHE_FORMAT.equals(in.readUTF()) || !key.equals(in.readUTF())) return null;
                List<String> features = new ArrayList<>();
                for (int k = in.readInt(); k > 0; k--) features.add(in.readUTF());
                List<String> customers = new ArrayList<>();
                for (int k = in.readInt(); k > 0; k--) customers.add(in.readUTF());
                int n = in.readInt();
                float[] values = new float[n * features.size()];
                for (int i = 0; i < values.length; i++) values[i] = in.readFloat();
                boolean[] labels = new boolean[n];
                long[] times = new long[n];
                int[] customer = new int[n];
                for (int i = 0; i < n; i++) {
                    labels[i] = in.readBoolean();
                    times[i] = in.readLong();
                    customer[i] = in.readInt();
                }
                return new Result(new TrainingRows(features, values, labels, times), customer, customers);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read replay cache " + file, e);
            }
        }
    }

    private static final String CACHE_FORMAT = "vigil-replay-cache/1";

    private HistoryReplay() {}

    /**
     * @param features the feature columns to keep (a selection of {@code Features.NAMES})
     * @param labels receives each label once known; pass {@code l -> {}} when no feature reads labels
     * @param progress receives the bytes of the file read so far
     * @throws IllegalArgumentException when a row does not map, or the file is not in event-time order
     */
    public static Result replay(Path csv, ColumnMapping mapping, FeatureStore store, Duration labelDelay,
            List<String> features, Consumer<KnownLabel> labels, LongConsumer progress) {
        Objects.requireNonNull(labelDelay, "labelDelay");
        if (labelDelay.isNegative()) throw new IllegalArgumentException("negative label delay " + labelDelay);
        int cols = features.size();
        Growing out = new Growing(cols);
        Map<String, Integer> customerIndex = new HashMap<>();
        List<String> customers = new ArrayList<>();
        ArrayDeque<KnownLabel> pending = new ArrayDeque<>();
        try (CountingStream counted = new CountingStream(Files.newInputStream(csv));
             BufferedReader in = new BufferedReader(new InputStreamReader(
                     csv.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(counted, 1 << 16) : counted,
                     StandardCharsets.UTF_8), 1 << 16)) {
            String headerLine = in.readLine();
            if (headerLine == null) throw new IllegalArgumentException(csv + " is empty");
            ColumnMapping.Reader reader = mapping.reader(List.of(split(headerLine)));
            List<TransactionEvent> batch = new ArrayList<>(BATCH);
            List<Boolean> batchLabels = new ArrayList<>(BATCH);
            Instant last = Instant.MIN;
            long line = 1;
            String s;
            while ((s = in.readLine()) != null) {
                line++;
                if (s.isBlank()) continue;
                String[] row = split(s);
                TransactionEvent e;
                try {
                    e = reader.event(row);
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException(csv + " line " + line + ": " + ex.getMessage(), ex);
                }
                if (e.occurredAt().isBefore(last)) {
                    throw new IllegalArgumentException(csv + " line " + line + ": " + e.occurredAt() + " is before the previous row's "
                            + last + "; the history must be sorted by event time");
                }
                last = e.occurredAt();
                batch.add(e);
                batchLabels.add(reader.fraud(row));
                if (batch.size() == BATCH) {
                    flush(store, batch, batchLabels, labelDelay, features, labels, pending, out, customerIndex, customers);
                    progress.accept(counted.count);
                }
            }
            flush(store, batch, batchLabels, labelDelay, features, labels, pending, out, customerIndex, customers);
            progress.accept(counted.count);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + csv, e);
        }
        return new Result(out.rows(features), Arrays.copyOf(out.customer, out.n), List.copyOf(customers));
    }

    private static void flush(FeatureStore store, List<TransactionEvent> batch, List<Boolean> batchLabels, Duration delay,
            List<String> features, Consumer<KnownLabel> labels, ArrayDeque<KnownLabel> pending, Growing out,
            Map<String, Integer> customerIndex, List<String> customers) {
        if (batch.isEmpty()) return;
        // Labels known by the batch's first event go in first; the rest wait for a later batch.
        Instant first = batch.get(0).occurredAt();
        while (!pending.isEmpty() && !pending.peekFirst().knownAt().isAfter(first)) labels.accept(pending.pollFirst());
        List<Enrichment> enriched = store.enrichAll(batch);
        int[] columns = Features.positions(features);
        for (int i = 0; i < batch.size(); i++) {
            TransactionEvent e = batch.get(i);
            Integer c = customerIndex.get(e.customerId());
            if (c == null) {
                c = customers.size();
                customerIndex.put(e.customerId(), c);
                customers.add(e.customerId());
            }
            out.add(enriched.get(i).features().vector(columns), batchLabels.get(i), e.occurredAt().toEpochMilli(), c);
            pending.addLast(new KnownLabel(e, batchLabels.get(i), e.occurredAt().plus(delay)));
        }
        batch.clear();
        batchLabels.clear();
    }

    /** Splits one CSV line; a field in double quotes may hold commas and doubled quotes. */
    static String[] split(String line) {
        if (line.indexOf('"') < 0) return line.split(",", -1);
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cur.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        out.add(cur.toString());
        return out.toArray(String[]::new);
    }

    /** Arrays that double as rows arrive. */
    private static final class Growing {
        final int cols;
        float[] values = new float[1 << 16];
        boolean[] labels = new boolean[1 << 12];
        long[] times = new long[1 << 12];
        int[] customer = new int[1 << 12];
        int n;

        Growing(int cols) {
            this.cols = cols;
            values = new float[cols << 12];
        }

        void add(float[] row, boolean label, long time, int cust) {
            if (n == labels.length) {
                int cap = n * 2;
                values = Arrays.copyOf(values, cap * cols);
                labels = Arrays.copyOf(labels, cap);
                times = Arrays.copyOf(times, cap);
                customer = Arrays.copyOf(customer, cap);
            }
            System.arraycopy(row, 0, values, n * cols, cols);
            labels[n] = label;
            times[n] = time;
            customer[n] = cust;
            n++;
        }

        TrainingRows rows(List<String> features) {
            return new TrainingRows(features, Arrays.copyOf(values, n * cols), Arrays.copyOf(labels, n), Arrays.copyOf(times, n));
        }
    }

    private static final class CountingStream extends FilterInputStream {
        long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int r = super.read(b, off, len);
            if (r > 0) count += r;
            return r;
        }
    }
}
