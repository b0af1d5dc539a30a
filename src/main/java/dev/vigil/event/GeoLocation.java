package dev.vigil.event;

import java.util.Objects;

/** Where a transaction happened: WGS84 coordinates and an ISO 3166-1 alpha-2 country code. */
public record GeoLocation(double lat, double lon, String country) {
    public GeoLocation {
        if (lat < -90 || lat > 90) throw new IllegalArgumentException("lat out of range: " + lat);
        if (lon < -180 || lon > 180) throw new IllegalArgumentException("lon out of range: " + lon);
        Objects.requireNonNull(country, "country");
    }

    public double getLat() { return lat; }
    public double getLon() { return lon; }
    public String getCountry() { return country; }
}
