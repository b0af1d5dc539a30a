package dev.vigil.simulate;

import dev.vigil.event.GeoLocation;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** The fixed scenery: cities accounts live in, far-away cities attacks come from, and the merchants. */
final class World {

    /** A place with its standard-time UTC offset (daylight saving is ignored: the rhythm is coarse anyway). */
    record City(String name, String country, GeoLocation geo, int utcOffsetHours, Currency currency, int[] ipPrefixes) {}

    /** A merchant; {@code geo} is null for online merchants, which take only ECOM and MOBILE payments. */
    record Merchant(String id, String mcc, boolean online, GeoLocation geo, double medianTicket) {}

    static final String GROCERY = "5411";
    static final String RESTAURANT = "5812";
    static final String MISC_RETAIL = "5999";
    static final String GAS = "5541";
    static final String PHARMACY = "5912";
    static final String DEPARTMENT = "5311";
    static final String ELECTRONICS = "5732";
    static final String MONEY_TRANSFER = "4829";
    static final String ATM = "6011";
    static final String GAMBLING = "7995";

    private static final Currency USD = Currency.getInstance("USD");
    private static final Currency EUR = Currency.getInstance("EUR");
    private static final Currency GBP = Currency.getInstance("GBP");

    /** Home cities, and the share of accounts living in each (sums to 1). */
    static final List<City> HOMES = List.of(
            city("New York", "US", 40.7128, -74.0060, -5, USD, 73, 98, 24),
            city("Chicago", "US", 41.8781, -87.6298, -6, USD, 71, 98, 24),
            city("Los Angeles", "US", 34.0522, -118.2437, -8, USD, 76, 47, 24),
            city("Houston", "US", 29.7604, -95.3698, -6, USD, 71, 99, 24),
            city("Miami", "US", 25.7617, -80.1918, -5, USD, 73, 97, 24),
            city("Seattle", "US", 47.6062, -122.3321, -8, USD, 67, 50, 24),
            city("London", "GB", 51.5074, -0.1278, 0, GBP, 81, 86, 2),
            city("Manchester", "GB", 53.4808, -2.2426, 0, GBP, 81, 86, 2),
            city("Berlin", "DE", 52.5200, 13.4050, 1, EUR, 84, 91, 87),
            city("Munich", "DE", 48.1351, 11.5820, 1, EUR, 84, 91, 87),
            city("Paris", "FR", 48.8566, 2.3522, 1, EUR, 82, 90, 86),
            city("Madrid", "ES", 40.4168, -3.7038, 1, EUR, 83, 88, 80),
            city("Dublin", "IE", 53.3498, -6.2603, 0, EUR, 78, 89, 86));
    private static final double[] HOME_WEIGHTS = {
        0.22, 0.12, 0.13, 0.08, 0.07, 0.08, 0.09, 0.03, 0.05, 0.02, 0.05, 0.03, 0.03};

    /** Where account takeovers and card testing come from. */
    static final List<City> FAR = List.of(
            city("Lagos", "NG", 6.5244, 3.3792, 1, null, 105, 41, 197),
            city("Moscow", "RU", 55.7558, 37.6173, 3, null, 95, 188, 5),
            city("Shenzhen", "CN", 22.5431, 114.0579, 8, null, 113, 183, 27),
            city("Sao Paulo", "BR", -23.5505, -46.6333, -3, null, 177, 189, 201),
            city("Hanoi", "VN", 21.0278, 105.8342, 7, null, 113, 14, 27),
            city("Jakarta", "ID", -6.2088, 106.8456, 7, null, 36, 114, 180),
            city("Manila", "PH", 14.5995, 120.9842, 8, null, 112, 49, 180),
            city("Bucharest", "RO", 44.4268, 26.1025, 2, null, 86, 188, 5));

    /** Median ticket in the account currency for an account of ordinary spending scale. */
    static final Map<String, Double> MEDIAN_TICKET = Map.of(
            GROCERY, 55.0, RESTAURANT, 28.0, MISC_RETAIL, 40.0, GAS, 45.0, PHARMACY, 22.0,
            DEPARTMENT, 70.0, ELECTRONICS, 180.0, MONEY_TRANSFER, 250.0, GAMBLING, 60.0);

    private static final String[] LOCAL_MCC = {
        GROCERY, RESTAURANT, MISC_RETAIL, GAS, PHARMACY, DEPARTMENT, ELECTRONICS, MONEY_TRANSFER, GAMBLING};
    private static final double[] LOCAL_MCC_WEIGHTS = {0.25, 0.30, 0.15, 0.10, 0.07, 0.05, 0.04, 0.02, 0.02};
    private static final String[] ONLINE_MCC = {MISC_RETAIL, ELECTRONICS, RESTAURANT, MONEY_TRANSFER, GAMBLING, DEPARTMENT};
    private static final double[] ONLINE_MCC_WEIGHTS = {0.50, 0.15, 0.10, 0.05, 0.10, 0.10};

    static final int MERCHANTS_PER_CITY = 150;
    static final int ATMS_PER_CITY = 25;
    static final int ONLINE_MERCHANTS = 400;

    /** Per home city (same index as {@link #HOMES}): its shops and its ATMs. */
    final Merchant[][] local;
    final Merchant[][] atms;
    final Merchant[] online;

    World(long seed) {
        SplittableRandom rng = new SplittableRandom(Rand.mix(seed ^ 0x57_0A_1DL));
        int n = 0;
        local = new Merchant[HOMES.size()][];
        atms = new Merchant[HOMES.size()][];
        for (int c = 0; c < HOMES.size(); c++) {
            City city = HOMES.get(c);
            local[c] = new Merchant[MERCHANTS_PER_CITY];
            for (int i = 0; i < MERCHANTS_PER_CITY; i++) {
                String mcc = LOCAL_MCC[Rand.pick(rng, LOCAL_MCC_WEIGHTS)];
                local[c][i] = new Merchant(Ids.padded("mer-", ++n, 5), mcc, false, near(rng, city), MEDIAN_TICKET.get(mcc));
            }
            atms[c] = new Merchant[ATMS_PER_CITY];
            for (int i = 0; i < ATMS_PER_CITY; i++) {
                atms[c][i] = new Merchant(Ids.padded("atm-", ++n, 5), ATM, false, near(rng, city), 0);
            }
        }
        online = new Merchant[ONLINE_MERCHANTS];
        for (int i = 0; i < ONLINE_MERCHANTS; i++) {
            String mcc = ONLINE_MCC[Rand.pick(rng, ONLINE_MCC_WEIGHTS)];
            online[i] = new Merchant(Ids.padded("mer-", ++n, 5), mcc, true, null, MEDIAN_TICKET.get(mcc));
        }
    }

    static int pickHome(SplittableRandom rng) {
        return Rand.pick(rng, HOME_WEIGHTS);
    }

    /** A far city at least 3,000 km from home; some always exist for every home city. */
    static City farFrom(SplittableRandom rng, City home) {
        List<City> far = new ArrayList<>(FAR.size());
        for (City c : FAR) {
            if (distanceKm(c.geo(), home.geo()) >= 3000) far.add(c);
        }
        return far.get(rng.nextInt(far.size()));
    }

    /** Great-circle distance (haversine). */
    static double distanceKm(GeoLocation a, GeoLocation b) {
        double dLat = Math.toRadians(b.lat() - a.lat());
        double dLon = Math.toRadians(b.lon() - a.lon());
        double sLat = StrictMath.sin(dLat / 2);
        double sLon = StrictMath.sin(dLon / 2);
        double h = sLat * sLat + StrictMath.cos(Math.toRadians(a.lat())) * StrictMath.cos(Math.toRadians(b.lat())) * sLon * sLon;
        return 2 * 6371.0 * StrictMath.asin(Math.sqrt(h));
    }

    /** Within about 15 km of the city centre. */
    static GeoLocation near(SplittableRandom rng, City city) {
        double lat = city.geo().lat() + (rng.nextDouble() - 0.5) * 0.27;
        double lon = city.geo().lon() + (rng.nextDouble() - 0.5) * 0.27;
        return new GeoLocation(round4(lat), round4(lon), city.country());
    }

    static String ip(SplittableRandom rng, City city) {
        int[] p = city.ipPrefixes();
        return p[rng.nextInt(p.length)] + "." + rng.nextInt(256) + "." + rng.nextInt(256) + "." + (1 + rng.nextInt(254));
    }

    static String device(SplittableRandom rng) {
        return "dev-" + Long.toHexString(rng.nextLong() | Long.MIN_VALUE);
    }

    /** An account at another bank, as the rails report a counterparty. */
    static String externalAccount(SplittableRandom rng) {
        return "ext-" + (1_000_000_000L + rng.nextLong(9_000_000_000L));
    }

    private static double round4(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }

    private static City city(String name, String country, double lat, double lon, int offset, Currency currency,
            int... ipPrefixes) {
        return new City(name, country, new GeoLocation(lat, lon, country), offset, currency, ipPrefixes);
    }
}
