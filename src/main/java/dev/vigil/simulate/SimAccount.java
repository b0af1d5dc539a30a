package dev.vigil.simulate;

import dev.vigil.event.AccountEvent;
import dev.vigil.event.AccountEventType;
import dev.vigil.event.GeoLocation;
import dev.vigil.event.KycRiskLevel;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.SplittableRandom;

/** One simulated account: its fixed habits and the random stream its ordinary traffic is drawn from. */
final class SimAccount {

    private static final long DAY_MS = 86_400_000L;

    /**
     * Relative activity by local hour: quiet from midnight to six, a lunch and an evening peak. Scaled so the
     * daily mean is 1, which keeps the configured mean rate exact.
     */
    private static final double[] HOURLY;
    private static final double HOURLY_MAX;

    static {
        double[] w = {0.25, 0.15, 0.10, 0.08, 0.08, 0.12, 0.30, 0.60, 0.90, 1.10, 1.25, 1.40,
                      1.55, 1.45, 1.30, 1.25, 1.30, 1.45, 1.60, 1.55, 1.30, 1.00, 0.70, 0.45};
        double sum = 0;
        for (double v : w) sum += v;
        double max = 0;
        for (int h = 0; h < 24; h++) {
            w[h] = w[h] * 24 / sum;
            max = Math.max(max, w[h]);
        }
        HOURLY = w;
        HOURLY_MAX = max;
    }

    final int index;
    final String id;
    final String customerId;
    final int homeIndex;
    final World.City home;
    final GeoLocation homeGeo;
    final Currency currency;
    final boolean isNew;
    final long openedAtMs;
    final KycRiskLevel kycAtOpening;
    /** Declared at opening, in the account currency; null when none was declared. */
    final BigDecimal netWorth;
    final String[] devices;
    final String[] ips;
    final World.Merchant[] favourites;
    final String[] payees;
    final String[] payers;
    final String employer;
    /** Multiplies every ordinary amount: some people spend more. */
    final double scale;
    final boolean gambler;
    final SplittableRandom rng;
    /** Next ordinary event, epoch ms. */
    long nextAt;

    private final World world;
    private final double maxRatePerMs;

    SimAccount(int index, SimulationConfig config, World world, SimAccount previous) {
        this.index = index;
        this.world = world;
        this.rng = Rand.stream(config.seed(), 1, index);
        this.id = Ids.account(index);
        // A few customers hold two accounts; the rules key some facts by customer.
        this.customerId = previous != null && rng.nextDouble() < 0.06
                ? previous.customerId : Ids.padded("cus-", index, 6);
        this.homeIndex = World.pickHome(rng);
        this.home = World.HOMES.get(homeIndex);
        this.homeGeo = World.near(rng, home);
        this.currency = home.currency();
        long startMs = config.start().toEpochMilli();
        this.isNew = rng.nextDouble() < config.newAccountShare();
        this.openedAtMs = isNew
                ? startMs - (long) Rand.between(rng, 1.0, 30.0) * DAY_MS - rng.nextLong(DAY_MS)
                : startMs - (long) Rand.between(rng, 200.0, 3650.0) * DAY_MS - rng.nextLong(DAY_MS);
        double k = rng.nextDouble();
        this.kycAtOpening = k < (isNew ? 0.60 : 0.72) ? KycRiskLevel.LOW
                : k < (isNew ? 0.92 : 0.96) ? KycRiskLevel.MEDIUM : KycRiskLevel.HIGH;
        this.netWorth = isNew || rng.nextDouble() < 0.5
                ? BigDecimal.valueOf(Math.max(1, Math.round(Rand.logNormal(rng, 30.0, 1.0))) * 1000L)
                        .setScale(currency.getDefaultFractionDigits())
                : null;
        this.devices = new String[1 + (rng.nextDouble() < 0.4 ? 1 : 0)];
        for (int i = 0; i < devices.length; i++) devices[i] = World.device(rng);
        this.ips = new String[1 + (rng.nextDouble() < 0.5 ? 1 : 0)];
        for (int i = 0; i < ips.length; i++) ips[i] = World.ip(rng, home);
        this.gambler = rng.nextDouble() < 0.08;
        this.favourites = new World.Merchant[Rand.between(rng, 4, 9)];
        for (int i = 0; i < favourites.length; i++) {
            favourites[i] = i < 2 ? randomOnline(rng) : randomLocal(rng);
        }
        this.payees = new String[Rand.between(rng, 1, 4)];
        for (int i = 0; i < payees.length; i++) {
            // Some payees are customers of this bank too; the ids do not need to exist in this run.
            payees[i] = rng.nextDouble() < 0.3 ? Ids.account(1 + rng.nextInt(config.accounts()))
                    : World.externalAccount(rng);
        }
        this.payers = new String[Rand.between(rng, 1, 3)];
        for (int i = 0; i < payers.length; i++) payers[i] = World.externalAccount(rng);
        this.employer = World.externalAccount(rng);
        this.scale = Rand.logNormal(rng, 1.0, 0.5);
        this.maxRatePerMs = config.meanTransactionsPerAccountPerDay() / DAY_MS * HOURLY_MAX;
        this.nextAt = nextAfter(startMs);
    }

    /** Account age on a given instant, for the new-account scenario's eligibility. */
    long ageDaysAt(long atMs) {
        return (atMs - openedAtMs) / DAY_MS;
    }

    int localHour(long atMs) {
        return (int) Math.floorMod(Math.floorDiv(atMs, 3_600_000L) + home.utcOffsetHours(), 24L);
    }

    /** Next event of a Poisson process whose rate follows the daily rhythm (thinning). */
    long nextAfter(long atMs) {
        long t = atMs;
        while (true) {
            t += 1 + (long) (Rand.exponential(rng) / maxRatePerMs);
            if (rng.nextDouble() * HOURLY_MAX < HOURLY[localHour(t)]) return t;
        }
    }

    AccountEvent opened(String eventId, Instant at) {
        return new AccountEvent(eventId, AccountEventType.ACCOUNT_OPENED, at, id, customerId,
                Instant.ofEpochMilli(openedAtMs), netWorth, netWorth == null ? null : currency, home.country(),
                kycAtOpening, isNew ? "online onboarding" : null);
    }

    /**
     * The account's next ordinary event at {@code nextAt}: mostly a transaction, rarely an account event
     * (a profile update about every two months, an identity flag about once in decades).
     */
    SimulatedEvent ordinary(Simulator sim, double perTickUpdate, double perTickKyc, double perTickWatch) {
        Instant at = Instant.ofEpochMilli(nextAt);
        double r = rng.nextDouble();
        if (r < perTickUpdate) return new SimulatedEvent.Account(update(sim.nextAccountEventId(), at));
        r -= perTickUpdate;
        if (r < perTickKyc) {
            return new SimulatedEvent.Account(flag(sim.nextAccountEventId(), at, AccountEventType.KYC_FAILED,
                    "identity document rejected at periodic review"));
        }
        r -= perTickKyc;
        if (r < perTickWatch) {
            return new SimulatedEvent.Account(flag(sim.nextAccountEventId(), at, AccountEventType.WATCHLIST_HIT,
                    "name matched a sanctions list entry"));
        }
        String txId = sim.nextTxId();
        return new SimulatedEvent.Transaction(transaction(txId, at), Label.benign(txId));
    }

    private AccountEvent update(String eventId, Instant at) {
        double r = rng.nextDouble();
        // Only long-standing accounts restate their net worth, so the opening declaration of a young account
        // stays the one its deposits are compared with.
        if (r < 0.3 && !isNew && ageDaysAt(nextAt) > 365) {
            BigDecimal nw = BigDecimal.valueOf(Math.max(1, Math.round(Rand.logNormal(rng, 40.0, 1.0))) * 1000L)
                    .setScale(currency.getDefaultFractionDigits());
            return new AccountEvent(eventId, AccountEventType.ACCOUNT_UPDATED, at, id, customerId, null, nw,
                    currency, null, null, "net worth restated");
        }
        if (r < 0.45) {
            KycRiskLevel level = KycRiskLevel.values()[Rand.pick(rng, new double[] {0.6, 0.3, 0.1})];
            return new AccountEvent(eventId, AccountEventType.ACCOUNT_UPDATED, at, id, customerId, null, null,
                    null, null, level, "periodic KYC review");
        }
        String[] what = {"address changed", "phone number changed", "email changed", "marketing preferences changed"};
        return new AccountEvent(eventId, AccountEventType.ACCOUNT_UPDATED, at, id, customerId, null, null, null,
                null, null, what[rng.nextInt(what.length)]);
    }

    private AccountEvent flag(String eventId, Instant at, AccountEventType type, String detail) {
        return new AccountEvent(eventId, type, at, id, customerId, null, null, null, null, null, detail);
    }

    private TransactionEvent transaction(String txId, Instant at) {
        double r = rng.nextDouble();
        if (r < 0.74) return purchase(txId, at);
        if (r < 0.81) return cashWithdrawal(txId, at);
        if (r < 0.87) return transferOut(txId, at);
        if (r < 0.91) return transferIn(txId, at);
        if (r < 0.95) return salary(txId, at);
        if (r < 0.98) return cashDeposit(txId, at);
        return refund(txId, at);
    }

    private TransactionEvent purchase(String txId, Instant at) {
        World.Merchant m;
        if (rng.nextDouble() < 0.01) {
            // Travelling: a card-present purchase in another home city.
            int c = rng.nextInt(World.HOMES.size());
            m = world.local[c][rng.nextInt(World.MERCHANTS_PER_CITY)];
        } else if (rng.nextDouble() < 0.65) {
            m = favourites[rng.nextInt(favourites.length)];
        } else {
            m = rng.nextDouble() < 0.3 ? randomOnline(rng) : randomLocal(rng);
        }
        long cents = cents(Rand.logNormal(rng, m.medianTicket() * scale, 0.7));
        return atMerchant(txId, at, TransactionType.PURCHASE, cents, m);
    }

    private TransactionEvent refund(String txId, Instant at) {
        World.Merchant m = favourites[rng.nextInt(favourites.length)];
        long cents = cents(Rand.logNormal(rng, m.medianTicket() * scale * 0.6, 0.6));
        return atMerchant(txId, at, TransactionType.REFUND, cents, m);
    }

    private TransactionEvent atMerchant(String txId, Instant at, TransactionType type, long cents, World.Merchant m) {
        if (m.online()) {
            String channel = rng.nextDouble() < 0.3 ? "MOBILE" : "ECOM";
            return new TransactionEvent(txId, at, id, customerId, type, money(cents), currency, null, m.id(), m.mcc(),
                    channel, "CARD", false, devices[rng.nextInt(devices.length)], ips[rng.nextInt(ips.length)],
                    homeGeo);
        }
        return new TransactionEvent(txId, at, id, customerId, type, money(cents), currency, null, m.id(), m.mcc(),
                "POS", "CARD", true, null, null, m.geo());
    }

    private TransactionEvent cashWithdrawal(String txId, Instant at) {
        World.Merchant atm = world.atms[homeIndex][rng.nextInt(World.ATMS_PER_CITY)];
        long twenties = Math.max(1, Math.min(40, Math.round(Rand.logNormal(rng, 4.0 * scale, 0.7))));
        return new TransactionEvent(txId, at, id, customerId, TransactionType.CASH_WITHDRAWAL, money(twenties * 2000),
                currency, null, atm.id(), atm.mcc(), "ATM", "CASH", true, null, null, atm.geo());
    }

    private TransactionEvent transferOut(String txId, Instant at) {
        boolean wire = rng.nextDouble() < 0.12;
        long cents = cents(Rand.logNormal(rng, (wire ? 1200.0 : 150.0) * scale, 0.9));
        double c = rng.nextDouble();
        String channel = c < 0.6 ? "MOBILE" : c < 0.9 ? "ECOM" : "BRANCH";
        boolean branch = channel.equals("BRANCH");
        return new TransactionEvent(txId, at, id, customerId, TransactionType.TRANSFER_OUT, money(cents), currency,
                payees[rng.nextInt(payees.length)], null, null, channel, wire ? "WIRE" : "ACH", null,
                branch ? null : devices[rng.nextInt(devices.length)], branch ? null : ips[rng.nextInt(ips.length)],
                homeGeo);
    }

    private TransactionEvent transferIn(String txId, Instant at) {
        long cents = cents(Rand.logNormal(rng, 120.0 * scale, 0.9));
        // Incoming money is not initiated by the customer: the rail reports no channel, device or place.
        return new TransactionEvent(txId, at, id, customerId, TransactionType.TRANSFER_IN, money(cents), currency,
                payers[rng.nextInt(payers.length)], null, null, null, "ACH", null, null, null, null);
    }

    private TransactionEvent salary(String txId, Instant at) {
        long cents = cents(Rand.logNormal(rng, 900.0 * scale, 0.3));
        return new TransactionEvent(txId, at, id, customerId, TransactionType.BALANCE_DEPOSIT, money(cents), currency,
                employer, null, null, null, "ACH", null, null, null, null);
    }

    private TransactionEvent cashDeposit(String txId, Instant at) {
        // A rare large legitimate deposit (a small business's takings) keeps the threshold band from being
        // a perfect giveaway.
        long cents = rng.nextDouble() < 0.004
                ? 800_000 + rng.nextLong(500_000)
                : cents(Rand.logNormal(rng, 200.0 * scale, 0.8));
        if (rng.nextDouble() < 0.6) {
            World.Merchant atm = world.atms[homeIndex][rng.nextInt(World.ATMS_PER_CITY)];
            return new TransactionEvent(txId, at, id, customerId, TransactionType.CASH_DEPOSIT, money(cents), currency,
                    null, atm.id(), atm.mcc(), "ATM", "CASH", true, null, null, atm.geo());
        }
        return new TransactionEvent(txId, at, id, customerId, TransactionType.CASH_DEPOSIT, money(cents), currency,
                null, null, null, "BRANCH", "CASH", null, null, null, homeGeo);
    }

    World.Merchant randomOnline(SplittableRandom r) {
        World.Merchant m = world.online[r.nextInt(World.ONLINE_MERCHANTS)];
        return m.mcc().equals(World.GAMBLING) && !gambler ? world.online[r.nextInt(World.ONLINE_MERCHANTS)] : m;
    }

    World.Merchant randomLocal(SplittableRandom r) {
        World.Merchant[] shops = world.local[homeIndex];
        World.Merchant m = shops[r.nextInt(shops.length)];
        return m.mcc().equals(World.GAMBLING) && !gambler ? shops[r.nextInt(shops.length)] : m;
    }

    /** Minor units with the currency's digits; every currency simulated here has two. */
    BigDecimal money(long cents) {
        return BigDecimal.valueOf(cents, currency.getDefaultFractionDigits());
    }

    static long cents(double amount) {
        return Math.max(1, Math.round(amount * 100));
    }
}
