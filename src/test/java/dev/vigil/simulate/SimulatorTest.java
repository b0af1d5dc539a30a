package dev.vigil.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.event.AccountEvent;
import dev.vigil.event.AccountEventType;
import dev.vigil.event.GeoLocation;
import dev.vigil.event.TransactionEvent;
import dev.vigil.event.TransactionType;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SimulatorTest {

    private static final Instant START = Instant.parse("2025-03-03T00:00:00Z");
    private static final BigDecimal MAX_STRUCTURED = new BigDecimal("9999.99");
    private static final BigDecimal NINE_THOUSAND = new BigDecimal("9000");

    /** A default-config run of two weeks, shared by the tests that look at ordinary traffic. */
    private static List<SimulatedEvent> twoWeeks;
    private static final int TWO_WEEKS_ACCOUNTS = 2000;

    /** A high-fraud run whose incidents are checked for their defining shapes. */
    private static List<SimulatedEvent> fraudRun;
    private static final Instant FRAUD_RUN_END = START.plus(Duration.ofDays(22));

    @BeforeAll
    static void generate() {
        twoWeeks = until(new Simulator(SimulationConfig.defaults(TWO_WEEKS_ACCOUNTS, 11, START)),
                START.plus(Duration.ofDays(14)));
        fraudRun = until(new Simulator(SimulationConfig.defaults(400, 7, START).withFraudShare(0.25)), FRAUD_RUN_END);
    }

    // ---- determinism ----

    @Test
    void shouldRepeatTheSameFirst5000EventsForTheSameSeed() {
        var config = SimulationConfig.defaults(1500, 42, START).withFraudShare(0.1);
        List<SimulatedEvent> a = new Simulator(config).stream().limit(5000).toList();
        List<SimulatedEvent> b = new Simulator(config).stream().limit(5000).toList();
        assertEquals(a, b);
        // Not only account openings: the comparison has to cover transactions too.
        assertTrue(a.stream().anyMatch(e -> e instanceof SimulatedEvent.Transaction));
    }

    @Test
    void shouldDrawDifferentTrafficForADifferentSeed() {
        // Ids embed the seed, so compare what the traffic is, not what it is called.
        var config = SimulationConfig.defaults(300, 1, START);
        assertNotEquals(shape(new Simulator(config)), shape(new Simulator(config.withSeed(2))));
    }

    private static List<String> shape(Simulator sim) {
        return sim.stream().limit(5000)
                .filter(e -> e instanceof SimulatedEvent.Transaction)
                .map(e -> ((SimulatedEvent.Transaction) e).event())
                .map(t -> t.occurredAt() + " " + t.accountId() + " " + t.type() + " " + t.amount())
                .toList();
    }

    // ---- stream invariants, for any config ----

    @Property(tries = 25)
    void streamInvariantsHoldForAnyConfig(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 400) int accounts,
            @ForAll @DoubleRange(min = 0, max = 0.5) double fraudShare,
            @ForAll @DoubleRange(min = 0, max = 1) double newAccountShare,
            @ForAll @DoubleRange(min = 0.5, max = 50) double ratePerDay) {
        var config = new SimulationConfig(accounts, seed, START, fraudShare, newAccountShare, ratePerDay,
                Duration.ofDays(7));
        List<SimulatedEvent> events = new Simulator(config).stream().limit(4000).toList();

        assertEquals(START, events.get(0).occurredAt(), "the first event is at the configured start");
        Instant previous = Instant.MIN;
        Set<String> opened = new HashSet<>();
        Set<String> txIds = new HashSet<>();
        Set<String> accountEventIds = new HashSet<>();
        for (SimulatedEvent e : events) {
            assertFalse(e.occurredAt().isBefore(previous), () -> "occurredAt went back at " + e);
            previous = e.occurredAt();
            if (e instanceof SimulatedEvent.Account acc) {
                AccountEvent ev = acc.event();
                assertTrue(accountEventIds.add(ev.eventId()), () -> "duplicate account event id " + ev.eventId());
                if (ev.type() == AccountEventType.ACCOUNT_OPENED) {
                    assertTrue(opened.add(ev.accountId()), () -> "opened twice: " + ev.accountId());
                    assertTrue(ev.openedAt().isBefore(START));
                } else {
                    assertTrue(opened.contains(ev.accountId()), () -> "account event before opening: " + ev);
                }
            } else if (e instanceof SimulatedEvent.Transaction tx) {
                TransactionEvent t = tx.event();
                assertTrue(opened.contains(t.accountId()), () -> "transaction before ACCOUNT_OPENED: " + t);
                assertTrue(txIds.add(t.transactionId()), () -> "duplicate transaction id " + t.transactionId());
                assertTrue(t.amount().signum() > 0, () -> "amount not positive: " + t);
                assertEquals(2, t.amount().scale(), () -> "amount not in cents: " + t);
                assertEquals(2, t.currency().getDefaultFractionDigits());
                assertEquals(t.transactionId(), tx.label().transactionId());
                assertEquals(tx.label().suspicious(), tx.label().scenario() != null);
            }
        }
        assertEquals(Math.min(accounts, 4000), Math.min(opened.size(), 4000));
    }

    @Test
    void shouldOpenEveryAccountBeforeAnyOfItsActivityInALongRun() {
        Map<String, Instant> openedAt = new HashMap<>();
        for (SimulatedEvent e : fraudRun) {
            if (e instanceof SimulatedEvent.Account a && a.event().type() == AccountEventType.ACCOUNT_OPENED) {
                assertNull(openedAt.put(a.accountId(), a.event().openedAt()), "opened twice");
            } else {
                assertTrue(openedAt.containsKey(e.accountId()), () -> "activity before opening: " + e);
            }
        }
        assertEquals(400, openedAt.size());
    }

    // ---- ordinary traffic ----

    @Test
    void shouldKeepSuspiciousTransactionsRareButPresentWithDefaults() {
        long total = 0;
        long suspicious = 0;
        for (SimulatedEvent e : twoWeeks) {
            if (e instanceof SimulatedEvent.Transaction t) {
                total++;
                if (t.label().suspicious()) suspicious++;
            }
        }
        double share = (double) suspicious / total;
        assertTrue(share > 0.001 && share < 0.05, "suspicious share " + share + " of " + total);
    }

    @Test
    void shouldRunNearTheConfiguredMeanRate() {
        long benign = twoWeeks.stream()
                .filter(e -> e instanceof SimulatedEvent.Transaction t && !t.label().suspicious()).count();
        double perAccountPerDay = benign / (TWO_WEEKS_ACCOUNTS * 14.0);
        assertTrue(Math.abs(perAccountPerDay - 3.0) < 0.15, () -> "rate " + perAccountPerDay);
    }

    @Test
    void shouldBeQuieterAtNightThanAtMidday() {
        // Local solar hour from the longitude is close enough to the clock for a 4-hour band.
        long[] byHour = new long[24];
        for (SimulatedEvent e : twoWeeks) {
            if (e instanceof SimulatedEvent.Transaction t && !t.label().suspicious() && t.event().geo() != null) {
                GeoLocation g = t.event().geo();
                double utcHours = (t.event().occurredAt().getEpochSecond() % 86_400) / 3600.0;
                byHour[(int) Math.floorMod((long) Math.floor(utcHours + g.lon() / 15), 24L)]++;
            }
        }
        long night = byHour[2] + byHour[3] + byHour[4] + byHour[5];
        long midday = byHour[12] + byHour[13] + byHour[14] + byHour[15];
        assertTrue(midday > 1000, () -> "too little traffic to judge: " + midday);
        assertTrue(night * 4 < midday, () -> "night " + night + " vs midday " + midday);
    }

    @Test
    void shouldGiveEachAccountStableHabits() {
        // Most benign card-not-present traffic comes from the account's own one or two devices.
        Map<String, Set<String>> devices = new HashMap<>();
        for (SimulatedEvent e : twoWeeks) {
            if (e instanceof SimulatedEvent.Transaction t && !t.label().suspicious()
                    && t.event().deviceFingerprint() != null) {
                devices.computeIfAbsent(t.accountId(), k -> new HashSet<>()).add(t.event().deviceFingerprint());
            }
        }
        assertTrue(devices.size() > TWO_WEEKS_ACCOUNTS / 2);
        assertTrue(devices.values().stream().allMatch(s -> s.size() <= 2));
        var currencies = twoWeeks.stream().filter(e -> e instanceof SimulatedEvent.Transaction)
                .map(e -> ((SimulatedEvent.Transaction) e).event().currency().getCurrencyCode())
                .collect(Collectors.groupingBy(c -> c, Collectors.counting()));
        assertTrue(currencies.get("USD") > currencies.get("EUR") && currencies.get("USD") > currencies.get("GBP"),
                "mostly USD: " + currencies);
    }

    @Test
    void shouldUpdateAccountsOccasionallyAndFlagCustomersRarely() {
        Map<AccountEventType, Long> counts = twoWeeks.stream()
                .filter(e -> e instanceof SimulatedEvent.Account)
                .map(e -> ((SimulatedEvent.Account) e).event().type())
                .collect(Collectors.groupingBy(t -> t, () -> new EnumMap<>(AccountEventType.class), Collectors.counting()));
        long updates = counts.getOrDefault(AccountEventType.ACCOUNT_UPDATED, 0L);
        long flags = counts.getOrDefault(AccountEventType.KYC_FAILED, 0L)
                + counts.getOrDefault(AccountEventType.WATCHLIST_HIT, 0L);
        // About one update per account every two months; an identity flag about once in decades.
        assertTrue(updates > TWO_WEEKS_ACCOUNTS * 14 / 60 / 2 && updates < TWO_WEEKS_ACCOUNTS * 14 / 60 * 2,
                "updates " + updates);
        assertTrue(flags >= 1 && flags < updates / 10, "flags " + flags + " vs updates " + updates);
    }

    @Test
    void shouldOpenNewAccountsDaysAndOldOnesMonthsToYearsBeforeStart() {
        int fresh = 0;
        for (SimulatedEvent e : twoWeeks) {
            if (e instanceof SimulatedEvent.Account a && a.event().type() == AccountEventType.ACCOUNT_OPENED) {
                long days = Duration.between(a.event().openedAt(), START).toDays();
                assertTrue(days <= 31 || days >= 200, () -> "opened " + days + " days before start");
                if (days <= 31) {
                    fresh++;
                    assertTrue(a.event().declaredNetWorth() != null, "new accounts declare their net worth");
                }
            }
        }
        assertTrue(Math.abs(fresh - 0.10 * TWO_WEEKS_ACCOUNTS) < 0.03 * TWO_WEEKS_ACCOUNTS, "new: " + fresh);
    }

    // ---- scenarios and their shapes ----

    /** Incidents whose events all lie within the run: each scenario lasts well under 8 days. */
    private static Map<String, List<TransactionEvent>> completeIncidents(Scenario scenario) {
        Map<String, List<TransactionEvent>> byIncident = new LinkedHashMap<>();
        for (SimulatedEvent e : fraudRun) {
            if (e instanceof SimulatedEvent.Transaction t && t.label().scenario() == scenario) {
                byIncident.computeIfAbsent(t.label().incidentId(), k -> new ArrayList<>()).add(t.event());
            }
        }
        Instant cutoff = FRAUD_RUN_END.minus(Duration.ofDays(8));
        byIncident.values().removeIf(txs -> !txs.get(0).occurredAt().isBefore(cutoff));
        assertTrue(byIncident.size() >= 5, scenario + " incidents: " + byIncident.size());
        return byIncident;
    }

    private static Map<String, AccountEvent> openings(List<SimulatedEvent> events) {
        Map<String, AccountEvent> m = new HashMap<>();
        for (SimulatedEvent e : events) {
            if (e instanceof SimulatedEvent.Account a && a.event().type() == AccountEventType.ACCOUNT_OPENED) {
                m.put(a.accountId(), a.event());
            }
        }
        return m;
    }

    /** Devices an account used in its benign traffic during the run. */
    private static Map<String, Set<String>> benignDevices() {
        Map<String, Set<String>> m = new HashMap<>();
        for (SimulatedEvent e : fraudRun) {
            if (e instanceof SimulatedEvent.Transaction t && !t.label().suspicious()
                    && t.event().deviceFingerprint() != null) {
                m.computeIfAbsent(t.accountId(), k -> new HashSet<>()).add(t.event().deviceFingerprint());
            }
        }
        return m;
    }

    @Test
    void shouldLabelEveryScenarioAndNothingElse() {
        Map<Scenario, Long> counts = new EnumMap<>(Scenario.class);
        for (SimulatedEvent e : fraudRun) {
            if (e instanceof SimulatedEvent.Transaction t && t.label().suspicious()) {
                counts.merge(t.label().scenario(), 1L, Long::sum);
                assertTrue(t.label().incidentId().startsWith("inc-7-"));
            }
        }
        assertEquals(Set.of(Scenario.values()), counts.keySet(), () -> "scenarios seen: " + counts);
    }

    @Test
    void cardTestingIsABurstOfTinyOnlinePurchasesAtDistinctMerchants() {
        Map<String, Set<String>> known = benignDevices();
        for (List<TransactionEvent> burst : completeIncidents(Scenario.CARD_TESTING).values()) {
            assertTrue(burst.size() >= 8 && burst.size() <= 20, () -> "burst of " + burst.size());
            assertTrue(span(burst).compareTo(Duration.ofMinutes(10)) <= 0, () -> "burst lasted " + span(burst));
            assertEquals(burst.size(), burst.stream().map(TransactionEvent::merchantId).distinct().count());
            for (TransactionEvent t : burst) {
                assertEquals(TransactionType.PURCHASE, t.type());
                assertEquals("ECOM", t.channel());
                assertTrue(t.amount().compareTo(new BigDecimal("0.50")) >= 0
                        && t.amount().compareTo(new BigDecimal("5.00")) <= 0, () -> "amount " + t.amount());
                assertFalse(known.getOrDefault(t.accountId(), Set.of()).contains(t.deviceFingerprint()));
            }
        }
    }

    @Test
    void accountTakeoverIsLargeSpendingFromANewDeviceFarAwayWithinAnHour() {
        Map<String, AccountEvent> opened = openings(fraudRun);
        Map<String, Set<String>> known = benignDevices();
        for (List<TransactionEvent> spree : completeIncidents(Scenario.ACCOUNT_TAKEOVER).values()) {
            String account = spree.get(0).accountId();
            assertTrue(spree.size() >= 3 && spree.size() <= 6, () -> "spree of " + spree.size());
            assertTrue(span(spree).compareTo(Duration.ofHours(1)) <= 0, () -> "spree lasted " + span(spree));
            assertEquals(1, spree.stream().map(TransactionEvent::deviceFingerprint).distinct().count());
            assertEquals(1, spree.stream().map(TransactionEvent::ip).distinct().count());
            assertFalse(known.getOrDefault(account, Set.of()).contains(spree.get(0).deviceFingerprint()));
            for (TransactionEvent t : spree) {
                assertTrue(t.type() == TransactionType.TRANSFER_OUT || t.type() == TransactionType.PURCHASE);
                assertTrue(t.amount().compareTo(new BigDecimal("1000")) >= 0, () -> "amount " + t.amount());
                assertNotEquals(opened.get(account).country(), t.geo().country());
            }
            // The attacker first changed the contact details, within the hour before the spree.
            Instant first = spree.get(0).occurredAt();
            assertTrue(fraudRun.stream().anyMatch(e -> e instanceof SimulatedEvent.Account a
                    && a.accountId().equals(account) && a.event().type() == AccountEventType.ACCOUNT_UPDATED
                    && !a.occurredAt().isAfter(first) && a.occurredAt().isAfter(first.minus(Duration.ofHours(1)))));
        }
    }

    @Test
    void newAccountDepositsExceed15000AndNetWorthWithinAWeekOfAYoungAccount() {
        Map<String, AccountEvent> opened = openings(fraudRun);
        for (List<TransactionEvent> deposits : completeIncidents(Scenario.NEW_ACCOUNT_DEPOSITS).values()) {
            AccountEvent account = opened.get(deposits.get(0).accountId());
            assertTrue(span(deposits).compareTo(Duration.ofDays(7)) <= 0);
            Instant last = deposits.get(deposits.size() - 1).occurredAt();
            assertTrue(Duration.between(account.openedAt(), last).toDays() < 180, "account too old");
            BigDecimal sum = BigDecimal.ZERO;
            for (TransactionEvent t : deposits) {
                assertEquals(TransactionType.BALANCE_DEPOSIT, t.type());
                assertEquals(account.netWorthCurrency(), t.currency());
                sum = sum.add(t.amount());
            }
            assertTrue(sum.compareTo(new BigDecimal("15000")) >= 0, "sum " + sum);
            assertTrue(sum.compareTo(account.declaredNetWorth().multiply(new BigDecimal("1.25"))) >= 0,
                    "sum " + sum + " vs net worth " + account.declaredNetWorth());
        }
    }

    @Test
    void structuringIsCashDepositsJustBelowTenThousandOverAFewDays() {
        for (List<TransactionEvent> deposits : completeIncidents(Scenario.STRUCTURING).values()) {
            assertTrue(deposits.size() >= 3 && deposits.size() <= 5);
            Duration span = span(deposits);
            assertTrue(span.compareTo(Duration.ofDays(1)) >= 0 && span.compareTo(Duration.ofDays(7)) <= 0,
                    "spread over " + span);
            for (TransactionEvent t : deposits) {
                assertEquals(TransactionType.CASH_DEPOSIT, t.type());
                assertTrue(t.amount().compareTo(NINE_THOUSAND) >= 0 && t.amount().compareTo(MAX_STRUCTURED) <= 0,
                        "amount " + t.amount());
            }
        }
    }

    @Test
    void muleFanInIsManyDistinctSendersThenMostOfItOutWithinADay() {
        for (List<TransactionEvent> incident : completeIncidents(Scenario.MULE_FAN_IN).values()) {
            assertTrue(span(incident).compareTo(Duration.ofDays(1)) <= 0, () -> "lasted " + span(incident));
            List<TransactionEvent> in = incident.stream().filter(t -> t.type() == TransactionType.TRANSFER_IN).toList();
            List<TransactionEvent> out = incident.stream().filter(t -> t.type() == TransactionType.TRANSFER_OUT).toList();
            assertEquals(incident.size(), in.size() + out.size());
            assertTrue(in.size() >= 8, () -> "fan-in of " + in.size());
            assertEquals(in.size(), in.stream().map(TransactionEvent::counterpartyAccount).distinct().count());
            assertEquals(1, out.size());
            TransactionEvent moveOn = out.get(0);
            assertTrue(moveOn.occurredAt().isAfter(in.get(in.size() - 1).occurredAt()));
            BigDecimal received = in.stream().map(TransactionEvent::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
            assertTrue(moveOn.amount().compareTo(received.multiply(new BigDecimal("0.75"))) >= 0
                    && moveOn.amount().compareTo(received) <= 0, moveOn.amount() + " of " + received);
        }
    }

    @Test
    void shouldNeverUseAnAttackersDeviceInBenignTraffic() {
        // Otherwise a detector would be rewarded or punished for the label, not for the behaviour.
        Set<String> scenarioDevices = new HashSet<>();
        for (SimulatedEvent e : fraudRun) {
            if (e instanceof SimulatedEvent.Transaction t && t.label().suspicious()
                    && t.label().scenario() != Scenario.MULE_FAN_IN && t.event().deviceFingerprint() != null) {
                scenarioDevices.add(t.event().deviceFingerprint());
            }
        }
        assertFalse(scenarioDevices.isEmpty());
        for (SimulatedEvent e : fraudRun) {
            if (e instanceof SimulatedEvent.Transaction t && !t.label().suspicious()) {
                assertFalse(scenarioDevices.contains(t.event().deviceFingerprint()), "benign with attacker device");
            }
        }
    }

    private static Duration span(List<TransactionEvent> txs) {
        return Duration.between(txs.get(0).occurredAt(), txs.get(txs.size() - 1).occurredAt());
    }

    // ---- config and labels ----

    @Test
    void shouldRejectBadConfigNamingTheField() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> SimulationConfig.defaults(10, 1, START).withFraudShare(0.9));
        assertTrue(e.getMessage().contains("fraudShare") && e.getMessage().contains("0.9"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SimulationConfig.defaults(0, 1, START));
        assertThrows(IllegalArgumentException.class,
                () -> SimulationConfig.defaults(10, 1, START).withMeanTransactionsPerAccountPerDay(0));
        assertThrows(IllegalArgumentException.class,
                () -> SimulationConfig.defaults(10, 1, START).withNewAccountShare(Double.NaN));
        assertThrows(IllegalArgumentException.class,
                () -> SimulationConfig.defaults(10, 1, START).withFraudPeriod(Duration.ofHours(3)));
    }

    @Test
    void shouldRejectInconsistentLabels() {
        assertThrows(IllegalArgumentException.class, () -> new Label("tx-1", true, null, null));
        assertThrows(IllegalArgumentException.class, () -> new Label("tx-1", false, Scenario.STRUCTURING, "inc-1"));
        assertThrows(IllegalArgumentException.class, () -> new Label("tx-1", true, Scenario.STRUCTURING, null));
    }

    // ---- speed: printed, not asserted (timing targets belong to benchmarks) ----

    @Test
    void printGenerationSpeed() {
        Simulator sim = new Simulator(SimulationConfig.defaults(20_000, 3, START));
        for (int i = 0; i < 100_000; i++) sim.next();
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        int n = 400_000;
        long t0 = System.nanoTime();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long tx = 0;
        for (int i = 0; i < n; i++) {
            if (sim.next() instanceof SimulatedEvent.Transaction) tx++;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
        // CPU time too: on a shared machine the wall-clock rate says more about the neighbours than about us.
        System.out.printf("Simulator (20,000 accounts): %,d events (%,d transactions) in %.2f s:"
                + " %,.0f events/s wall clock, %,.0f events per CPU second%n",
                n, tx, seconds, n / seconds, n / cpuSeconds);
        assertTrue(tx > 0);
    }

    private static List<SimulatedEvent> until(Simulator sim, Instant end) {
        List<SimulatedEvent> out = new ArrayList<>();
        while (true) {
            SimulatedEvent e = sim.next();
            if (!e.occurredAt().isBefore(end)) return out;
            out.add(e);
        }
    }
}
