package io.loopflow.core.surplus;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Surplus-to-demand matching for one material (CONTRACT.md section 5): pure, given the supplies
 * (sites with a surplus of the material), the demands, and the matches open so far, it returns the
 * transitions to publish.
 *
 * <p>A match of supplier S and demander D opens when S has a surplus (its surplus alert is raised),
 * S != D, both sites have coordinates, the great-circle distance is within D's
 * {@code maxDistanceKm} and S's {@code available >= quantity}. It closes when the surplus clears
 * (S's surplus alert cleared, or {@code available} fell below 0.8 x the demanded quantity, the same
 * hysteresis as the surplus rule, so a level hovering at the quantity does not flap), when the
 * demand is deleted or changed out of reach (distance, or a quantity well above what is
 * available), or when either site is deleted or loses its coordinates. A match is thus part of a
 * surplus episode: it cannot reopen until the surplus is raised again.
 * Closings come first, then openings, nearest demander first.
 */
public final class MatchBook {

    /** A site's surplus of the material; {@code raised} is true while its surplus alert is raised. */
    public record Supply(String site, String siteName, Double lat, Double lon, double available, boolean raised) {
        boolean located() {
            return lat != null && lon != null;
        }
    }

    /** A site's demand for the material, with the demanding site's name and coordinates (null when unknown). */
    public record Demand(String site, String siteName, Double lat, Double lon, double quantity, double maxDistanceKm) {
        boolean located() {
            return lat != null && lon != null;
        }
    }

    /** An open match. */
    public record Pair(String supplier, String demander) {
    }

    /** Why a match closed. */
    public enum CloseReason {
        SURPLUS_CLEARED("the surplus has cleared or no longer covers the demand"),
        DEMAND_WITHDRAWN("the demand was withdrawn"),
        OUT_OF_REACH("the demand is now out of reach"),
        SITE_REMOVED("a site was removed or has no coordinates");

        private final String text;

        CloseReason(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /** A match opening ({@code reason == null}) or closing, with the current figures. */
    public record Transition(Pair pair, boolean open, CloseReason reason, Supply supply, Demand demand, Double distanceKm) {
    }

    private MatchBook() {
    }

    /**
     * The transitions that bring {@code open} in line with {@code supplies} and {@code demands}
     * (both keyed by site). The caller applies them to its open set.
     */
    public static List<Transition> evaluate(Map<String, Supply> supplies, Map<String, Demand> demands, Set<Pair> open) {
        List<Transition> closes = new ArrayList<>();
        for (Pair pair : open.stream().sorted(Comparator.comparing(Pair::supplier).thenComparing(Pair::demander)).toList()) {
            Supply s = supplies.get(pair.supplier());
            Demand d = demands.get(pair.demander());
            CloseReason reason = closeReason(s, d);
            if (reason != null) {
                closes.add(new Transition(pair, false, reason, s, d, distance(s, d)));
            }
        }
        List<Transition> opens = new ArrayList<>();
        for (Supply s : supplies.values()) {
            for (Demand d : demands.values()) {
                Pair pair = new Pair(s.site(), d.site());
                if (open.contains(pair) || s.site().equals(d.site()) || !s.located() || !d.located() || !s.raised()) {
                    continue;
                }
                double km = distance(s, d);
                if (km <= d.maxDistanceKm() && s.available() >= d.quantity()) {
                    opens.add(new Transition(pair, true, null, s, d, km));
                }
            }
        }
        opens.sort(Comparator.comparingDouble(Transition::distanceKm)
                .thenComparing(t -> t.pair().supplier()).thenComparing(t -> t.pair().demander()));
        List<Transition> all = new ArrayList<>(closes);
        all.addAll(opens);
        return all;
    }

    private static CloseReason closeReason(Supply s, Demand d) {
        if (d == null) {
            return CloseReason.DEMAND_WITHDRAWN;
        }
        if (s == null || !s.located() || !d.located()) {
            return CloseReason.SITE_REMOVED;
        }
        if (!s.raised() || s.available() < SurplusHysteresis.CLEAR_FRACTION * d.quantity()) {
            return CloseReason.SURPLUS_CLEARED;
        }
        if (distance(s, d) > d.maxDistanceKm()) {
            return CloseReason.OUT_OF_REACH;
        }
        return null;
    }

    private static Double distance(Supply s, Demand d) {
        if (s == null || d == null || !s.located() || !d.located()) {
            return null;
        }
        return GreatCircle.km(s.lat(), s.lon(), d.lat(), d.lon());
    }
}
