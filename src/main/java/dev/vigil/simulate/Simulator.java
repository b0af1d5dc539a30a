package dev.vigil.simulate;

import dev.vigil.event.AccountEvent;
import dev.vigil.event.AccountEventType;
import java.time.Instant;
import java.util.Iterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * An endless, deterministic stream of simulated payment traffic with labelled bad behaviour.
 *
 * <p>Guarantees: the same {@link SimulationConfig} gives the same events in the same order; {@code occurredAt}
 * never decreases; the first events are the ACCOUNT_OPENED of every account, all at {@code config.start()}
 * (their {@code openedAt} lies before it), so each account is opened before its first transaction; transaction ids
 * ({@code tx-<seed>-<n>}) and account event ids ({@code ae-<seed>-<n>}) are unique within a run; amounts are
 * non-negative with the currency's two decimals. Accounts are {@code acc-000001} to {@code acc-<accounts>}.
 *
 * <p>Ordinary traffic: each account spends with its own scale, at favourite and nearby merchants, in its home
 * city's currency (USD, EUR or GBP), from its own one or two devices and IPs, at a rate that follows a daily
 * rhythm in local time. Injected {@link Scenario}s are labelled suspicious; everything else is labelled benign.
 *
 * <p>Not thread-safe, and single-use: {@link #next()}, {@link #stream()} and {@link #iterator()} all draw from
 * the same state.
 */
public final class Simulator implements Iterator<SimulatedEvent>, Iterable<SimulatedEvent> {

    /** Account events per account per day, drawn as a chance on each ordinary event of the account. */
    private static final double UPDATES_PER_DAY = 1 / 60.0;
    private static final double KYC_FAILURES_PER_DAY = 1 / 7300.0;
    private static final double WATCHLIST_HITS_PER_DAY = 1 / 14600.0;

    private final SimulationConfig config;
    private final SimAccount[] accounts;
    private final FraudPlanner planner;
    private final EventQueue queue;
    private final String txPrefix;
    private final String accountEventPrefix;
    private final Instant start;
    private final double perTickUpdate;
    private final double perTickKyc;
    private final double perTickWatch;
    private long txCount;
    private long accountEventCount;
    private int openedEmitted;

    public Simulator(SimulationConfig config) {
        this.config = java.util.Objects.requireNonNull(config, "config");
        this.start = config.start();
        this.txPrefix = "tx-" + config.seed() + "-";
        this.accountEventPrefix = "ae-" + config.seed() + "-";
        double rate = config.meanTransactionsPerAccountPerDay();
        this.perTickUpdate = UPDATES_PER_DAY / rate;
        this.perTickKyc = KYC_FAILURES_PER_DAY / rate;
        this.perTickWatch = WATCHLIST_HITS_PER_DAY / rate;
        World world = new World(config.seed());
        this.accounts = new SimAccount[config.accounts()];
        SimAccount previous = null;
        for (int i = 0; i < accounts.length; i++) {
            accounts[i] = new SimAccount(i + 1, config, world, previous);
            previous = accounts[i];
        }
        this.queue = new EventQueue(accounts.length + 1024);
        for (SimAccount a : accounts) schedule(new Tick(a));
        this.planner = new FraudPlanner(config, accounts, world, this);
        planner.plan(0);
        schedule(new PeriodMark(1, start.toEpochMilli() + config.fraudPeriod().toMillis()));
    }

    public SimulationConfig config() {
        return config;
    }

    /** Always true: the stream is endless. Bound it by count or by event time. */
    @Override
    public boolean hasNext() {
        return true;
    }

    @Override
    public SimulatedEvent next() {
        if (openedEmitted < accounts.length) {
            SimAccount a = accounts[openedEmitted++];
            return new SimulatedEvent.Account(a.opened(nextAccountEventId(), start));
        }
        while (true) {
            Entry e = queue.poll();
            SimulatedEvent event = e.fire(this);
            if (event != null) return event;
        }
    }

    /** This simulator as an endless sequential stream; use {@code limit} or {@code takeWhile}. */
    public Stream<SimulatedEvent> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this,
                Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    /** This simulator itself, so a for-each loop can walk it (and must break). */
    @Override
    public Iterator<SimulatedEvent> iterator() {
        return this;
    }

    /** Ties in event time go in scheduling order, which is itself seeded, so the stream is reproducible. */
    void schedule(Entry e) {
        queue.add(e);
    }

    String nextTxId() {
        return txPrefix + (++txCount);
    }

    String nextAccountEventId() {
        return accountEventPrefix + (++accountEventCount);
    }

    /** Something that happens at a point of event time. */
    abstract static class Entry {
        /** Epoch ms; read by the queue when the entry is scheduled, so change it only while unscheduled. */
        long at;

        Entry(long at) {
            this.at = at;
        }

        /** The event to emit, or null when the entry only does bookkeeping. */
        abstract SimulatedEvent fire(Simulator sim);
    }

    /** An account's next ordinary event; rescheduled each time it fires, so each account has one in the queue. */
    private static final class Tick extends Entry {
        private final SimAccount account;

        Tick(SimAccount account) {
            super(account.nextAt);
            this.account = account;
        }

        @Override
        SimulatedEvent fire(Simulator sim) {
            SimulatedEvent event = account.ordinary(sim, sim.perTickUpdate, sim.perTickKyc, sim.perTickWatch);
            account.nextAt = account.nextAfter(account.nextAt);
            at = account.nextAt;
            sim.schedule(this);
            return event;
        }
    }

    /** Plans the scenarios of a fraud period when event time reaches it, so memory does not grow with time. */
    private static final class PeriodMark extends Entry {
        private final long period;

        PeriodMark(long period, long at) {
            super(at);
            this.period = period;
        }

        @Override
        SimulatedEvent fire(Simulator sim) {
            sim.planner.plan(period);
            sim.schedule(new PeriodMark(period + 1, at + sim.config.fraudPeriod().toMillis()));
            return null;
        }
    }

    /** An account event of a scenario (the attacker's contact-detail change). */
    static final class ScriptedAccountEvent extends Entry {
        private final SimAccount account;
        private final AccountEventType type;
        private final String detail;

        ScriptedAccountEvent(long at, SimAccount account, AccountEventType type, String detail) {
            super(at);
            this.account = account;
            this.type = type;
            this.detail = detail;
        }

        @Override
        SimulatedEvent fire(Simulator sim) {
            return new SimulatedEvent.Account(new AccountEvent(sim.nextAccountEventId(), type, Instant.ofEpochMilli(at),
                    account.id, account.customerId, null, null, null, null, null, detail));
        }
    }
}
