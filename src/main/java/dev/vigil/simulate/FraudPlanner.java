package dev.vigil.simulate;

import dev.vigil.event.AccountEventType;
import dev.vigil.event.GeoLocation;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Chooses, period by period, which accounts misbehave and how, and schedules the scenario's events. Each
 * period draws from its own seeded stream, so the plan does not depend on how much ordinary traffic came before.
 */
final class FraudPlanner {

    private static final long SECOND = 1000L;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;

    private static final Scenario[] ALL = Scenario.values();
    /** What a chosen account does when no new account is left young enough for NEW_ACCOUNT_DEPOSITS. */
    private static final Scenario[] NOT_NEW_ONLY = {
        Scenario.CARD_TESTING, Scenario.ACCOUNT_TAKEOVER, Scenario.STRUCTURING, Scenario.MULE_FAN_IN};

    private final SimulationConfig config;
    private final SimAccount[] accounts;
    private final World world;
    private final Simulator sim;
    private final int[] newAccounts;
    private final long startMs;
    private final long periodMs;
    private long incidents;

    FraudPlanner(SimulationConfig config, SimAccount[] accounts, World world, Simulator sim) {
        this.config = config;
        this.accounts = accounts;
        this.world = world;
        this.sim = sim;
        this.newAccounts = Arrays.stream(accounts).filter(a -> a.isNew).mapToInt(a -> a.index - 1).toArray();
        this.startMs = config.start().toEpochMilli();
        this.periodMs = config.fraudPeriod().toMillis();
    }

    void plan(long period) {
        SplittableRandom rng = Rand.stream(config.seed(), 2, period);
        long periodStart = startMs + period * periodMs;
        // Rounded at random, so small populations still see fraud at the configured rate on average.
        double expected = config.fraudShare() * accounts.length;
        int wanted = (int) expected + (rng.nextDouble() < expected - (int) expected ? 1 : 0);
        Set<Integer> chosen = new HashSet<>();
        for (int i = 0; i < wanted; i++) {
            long t0 = periodStart + rng.nextLong(periodMs);
            Scenario scenario = ALL[rng.nextInt(ALL.length)];
            SimAccount account = null;
            if (scenario == Scenario.NEW_ACCOUNT_DEPOSITS) {
                account = pickYoung(rng, chosen, t0);
                if (account == null) scenario = NOT_NEW_ONLY[rng.nextInt(NOT_NEW_ONLY.length)];
            }
            if (account == null) account = pickAny(rng, chosen);
            if (account == null) break;
            String incident = "inc-" + config.seed() + "-" + (++incidents);
            switch (scenario) {
                case CARD_TESTING -> cardTesting(rng, account, t0, incident);
                case ACCOUNT_TAKEOVER -> takeover(rng, account, t0, incident);
                case NEW_ACCOUNT_DEPOSITS -> newAccountDeposits(rng, account, t0, incident);
                case STRUCTURING -> structuring(rng, account, t0, incident);
                case MULE_FAN_IN -> muleFanIn(rng, account, t0, incident);
            }
        }
    }

    /** A new account still young enough, with a modest declaration, at the scenario's last deposit. */
    private SimAccount pickYoung(SplittableRandom rng, Set<Integer> chosen, long t0) {
        if (newAccounts.length == 0) return null;
        for (int attempt = 0; attempt < 30; attempt++) {
            SimAccount a = accounts[newAccounts[rng.nextInt(newAccounts.length)]];
            boolean young = a.ageDaysAt(t0 + 7 * DAY) < 175;
            boolean modest = a.netWorth != null && a.netWorth.compareTo(BigDecimal.valueOf(80_000)) <= 0;
            if (young && modest && chosen.add(a.index)) return a;
        }
        return null;
    }

    private SimAccount pickAny(SplittableRandom rng, Set<Integer> chosen) {
        for (int attempt = 0; attempt < 100; attempt++) {
            SimAccount a = accounts[rng.nextInt(accounts.length)];
            if (chosen.add(a.index)) return a;
        }
        return null;
    }

    private void cardTesting(SplittableRandom rng, SimAccount a, long t0, String incident) {
        int n = Rand.between(rng, 8, 20);
        World.City from = World.farFrom(rng, a.home);
        String device = World.device(rng);
        String ip = World.ip(rng, from);
        Set<Integer> used = new HashSet<>();
        long t = t0;
        for (int i = 0; i < n; i++) {
            int m;
            do {
                m = rng.nextInt(World.ONLINE_MERCHANTS);
            } while (!used.add(m));
            World.Merchant merchant = world.online[m];
            long cents = 50 + rng.nextLong(451);
            sim.schedule(new ScriptedTx(t, a, TransactionType.PURCHASE, cents, null, merchant.id(), merchant.mcc(),
                    "ECOM", "CARD", false, device, ip, from.geo(), Scenario.CARD_TESTING, incident));
            t += 3 * SECOND + rng.nextLong(22 * SECOND);
        }
    }

    private void takeover(SplittableRandom rng, SimAccount a, long t0, String incident) {
        World.City from = World.farFrom(rng, a.home);
        String device = World.device(rng);
        String ip = World.ip(rng, from);
        sim.schedule(new Simulator.ScriptedAccountEvent(t0, a, AccountEventType.ACCOUNT_UPDATED,
                "email and phone number changed"));
        int n = Rand.between(rng, 3, 6);
        long t = t0 + MINUTE + rng.nextLong(4 * MINUTE);
        for (int i = 0; i < n; i++) {
            long cents = 120_000 + rng.nextLong(830_000);
            if (rng.nextDouble() < 0.65) {
                boolean wire = rng.nextDouble() < 0.5;
                sim.schedule(new ScriptedTx(t, a, TransactionType.TRANSFER_OUT, cents, World.externalAccount(rng),
                        null, null, rng.nextDouble() < 0.7 ? "MOBILE" : "ECOM", wire ? "WIRE" : "ACH", null,
                        device, ip, from.geo(), Scenario.ACCOUNT_TAKEOVER, incident));
            } else {
                World.Merchant m = pickOnline(rng, World.ELECTRONICS, World.MISC_RETAIL);
                sim.schedule(new ScriptedTx(t, a, TransactionType.PURCHASE, cents, null, m.id(), m.mcc(), "ECOM",
                        "CARD", false, device, ip, from.geo(), Scenario.ACCOUNT_TAKEOVER, incident));
            }
            t += 2 * MINUTE + rng.nextLong(8 * MINUTE);
        }
    }

    private void newAccountDeposits(SplittableRandom rng, SimAccount a, long t0, String incident) {
        BigDecimal floor = a.netWorth.multiply(new BigDecimal("1.25")).max(BigDecimal.valueOf(15_000));
        long total = (long) Math.ceil(floor.doubleValue() * Rand.between(rng, 1.3, 2.0) * 100);
        int n = Rand.between(rng, 3, 7);
        long[] times = new long[n];
        for (int i = 0; i < n; i++) times[i] = t0 + rng.nextLong(6 * DAY);
        Arrays.sort(times);
        long[] parts = split(rng, total, n);
        String source = World.externalAccount(rng);
        for (int i = 0; i < n; i++) {
            // Mostly from one outside account, by ACH or wire, as a funnel would send it.
            String from = rng.nextDouble() < 0.7 ? source : World.externalAccount(rng);
            sim.schedule(new ScriptedTx(times[i], a, TransactionType.BALANCE_DEPOSIT, parts[i], from, null, null,
                    null, rng.nextDouble() < 0.6 ? "ACH" : "WIRE", null, null, null, null,
                    Scenario.NEW_ACCOUNT_DEPOSITS, incident));
        }
    }

    private void structuring(SplittableRandom rng, SimAccount a, long t0, String incident) {
        int n = Rand.between(rng, 3, 5);
        // Deposits fall in local business hours on days after t0, one a day or every other day, 6 days at most.
        long localMidnight = Math.floorDiv(t0 + a.home.utcOffsetHours() * HOUR, DAY) * DAY - a.home.utcOffsetHours() * HOUR;
        int day = 1;
        for (int i = 0; i < n; i++) {
            if (i > 0) day += (rng.nextDouble() < 0.3 && day + (n - i) < 6) ? 2 : 1;
            long t = localMidnight + day * DAY + 9 * HOUR + rng.nextLong(8 * HOUR);
            long cents = 900_000 + rng.nextLong(100_000);
            if (rng.nextDouble() < 0.5) {
                World.Merchant atm = world.atms[a.homeIndex][rng.nextInt(World.ATMS_PER_CITY)];
                sim.schedule(new ScriptedTx(t, a, TransactionType.CASH_DEPOSIT, cents, null, atm.id(), atm.mcc(), "ATM",
                        "CASH", true, null, null, atm.geo(), Scenario.STRUCTURING, incident));
            } else {
                sim.schedule(new ScriptedTx(t, a, TransactionType.CASH_DEPOSIT, cents, null, null, null, "BRANCH",
                        "CASH", null, null, null, World.near(rng, a.home), Scenario.STRUCTURING, incident));
            }
        }
    }

    private void muleFanIn(SplittableRandom rng, SimAccount a, long t0, String incident) {
        int n = Rand.between(rng, 8, 20);
        long[] times = new long[n];
        for (int i = 0; i < n; i++) times[i] = t0 + rng.nextLong(20 * HOUR);
        Arrays.sort(times);
        Set<String> senders = new HashSet<>();
        long total = 0;
        for (int i = 0; i < n; i++) {
            String sender;
            do {
                sender = World.externalAccount(rng);
            } while (!senders.add(sender));
            long cents = 15_000 + rng.nextLong(235_001);
            total += cents;
            sim.schedule(new ScriptedTx(times[i], a, TransactionType.TRANSFER_IN, cents, sender, null, null, null,
                    rng.nextDouble() < 0.8 ? "ACH" : "WIRE", null, null, null, null, Scenario.MULE_FAN_IN, incident));
        }
        long out = (long) (total * Rand.between(rng, 0.80, 0.95));
        long t = times[n - 1] + 10 * MINUTE + rng.nextLong(170 * MINUTE);
        // The mule moves the money on from their own phone: nothing about the device is unusual.
        sim.schedule(new ScriptedTx(t, a, TransactionType.TRANSFER_OUT, out, World.externalAccount(rng), null, null,
                "MOBILE", "WIRE", null, a.devices[0], a.ips[0], a.homeGeo, Scenario.MULE_FAN_IN, incident));
    }

    private World.Merchant pickOnline(SplittableRandom rng, String... mccs) {
        List<World.Merchant> fit = new ArrayList<>();
        for (World.Merchant m : world.online) {
            if (Arrays.asList(mccs).contains(m.mcc())) fit.add(m);
        }
        return fit.isEmpty() ? world.online[rng.nextInt(world.online.length)] : fit.get(rng.nextInt(fit.size()));
    }

    /** {@code total} split into n positive parts of similar size that sum to it exactly. */
    static long[] split(SplittableRandom rng, long total, int n) {
        double[] w = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) sum += w[i] = Rand.between(rng, 0.5, 1.5);
        long[] parts = new long[n];
        long given = 0;
        for (int i = 0; i < n - 1; i++) {
            parts[i] = Math.max(1, (long) (total * w[i] / sum));
            given += parts[i];
        }
        parts[n - 1] = total - given;
        return parts;
    }

    /** A scenario transaction; its id is drawn when it fires so ids follow emission order. */
    static final class ScriptedTx extends Simulator.Entry {
        private final SimAccount a;
        private final TransactionType type;
        private final long cents;
        private final String counterparty;
        private final String merchantId;
        private final String mcc;
        private final String channel;
        private final String method;
        private final Boolean cardPresent;
        private final String device;
        private final String ip;
        private final GeoLocation geo;
        private final Scenario scenario;
        private final String incident;

        ScriptedTx(long at, SimAccount a, TransactionType type, long cents, String counterparty, String merchantId,
                String mcc, String channel, String method, Boolean cardPresent, String device, String ip,
                GeoLocation geo, Scenario scenario, String incident) {
            super(at);
            this.a = a;
            this.type = type;
            this.cents = cents;
            this.counterparty = counterparty;
            this.merchantId = merchantId;
            this.mcc = mcc;
            this.channel = channel;
            this.method = method;
            this.cardPresent = cardPresent;
            this.device = device;
            this.ip = ip;
            this.geo = geo;
            this.scenario = scenario;
            this.incident = incident;
        }

        @Override
        SimulatedEvent fire(Simulator sim) {
            String id = sim.nextTxId();
            TransactionEvent event = new TransactionEvent(id, Instant.ofEpochMilli(at), a.id, a.customerId, type,
                    a.money(cents), a.currency, counterparty, merchantId, mcc, channel, method, cardPresent, device,
                    ip, geo);
            return new SimulatedEvent.Transaction(event, Label.suspicious(id, scenario, incident));
        }
    }
}
