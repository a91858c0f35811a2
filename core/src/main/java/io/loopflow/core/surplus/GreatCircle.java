package io.loopflow.core.surplus;

/**
 * Great-circle distance between two WGS84 points by the haversine formula on the mean Earth
 * radius (IUGG, 6,371.0088 km): within 0.5 % of the ellipsoidal distance, far finer than any
 * {@code maxDistanceKm} a plant would set.
 */
public final class GreatCircle {
    /** Mean Earth radius in km. */
    public static final double EARTH_RADIUS_KM = 6371.0088;

    private GreatCircle() {
    }

    /** Distance in km between (lat1, lon1) and (lat2, lon2), degrees. */
    public static double km(double lat1, double lon1, double lat2, double lon2) {
        double p1 = Math.toRadians(lat1);
        double p2 = Math.toRadians(lat2);
        double dp = p2 - p1;
        double dl = Math.toRadians(lon2 - lon1);
        double a = Math.sin(dp / 2) * Math.sin(dp / 2) + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
        return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
    }
}
