package io.loopflow.core.surplus;

import io.loopflow.core.model.AlertRecord;
import io.loopflow.core.model.AlertRecord.Type;
import java.time.Instant;
import java.util.Locale;

/**
 * Builds the alerts of CONTRACT.md section 5 with deterministic ids and a human-readable
 * {@code message}. An id names the transition, the surplus (and the demander of a match) and the
 * episode: the n-th time this surplus was raised, or this pair matched. Episodes are counted in
 * the stream processor's exactly-once state, so a replay after a crash produces the same id and a
 * consumer can deduplicate on it:
 * {@code surplus.available/asnaes/gypsum/3}, {@code surplus.cleared/asnaes/gypsum/3},
 * {@code match/asnaes/gypsum/gyproc/1}, {@code match.closed/asnaes/gypsum/gyproc/1}.
 */
public final class Alerts {

    /** Names used in messages: the descriptor's name when known, else the id. */
    public record Names(String siteName, String materialName, String unit) {
    }

    private Alerts() {
    }

    public static AlertRecord surplusAvailable(String site, String material, long episode, double available, double threshold,
                                               Names names, Instant ts) {
        String message = String.format(Locale.ROOT, "%s has %s %s of %s available (threshold %s %s)",
                names.siteName(), amount(available), names.unit(), names.materialName(), amount(threshold), names.unit());
        return new AlertRecord(Type.SURPLUS_AVAILABLE.wire() + "/" + site + "/" + material + "/" + episode, Type.SURPLUS_AVAILABLE,
                site, material, null, available, threshold, null, ts, message);
    }

    public static AlertRecord surplusCleared(String site, String material, long episode, double available, double threshold,
                                             Names names, Instant ts) {
        String message = String.format(Locale.ROOT, "%s's surplus of %s has cleared: %s %s left, below %s %s (80 %% of the %s %s threshold)",
                names.siteName(), names.materialName(), amount(available), names.unit(),
                amount(SurplusHysteresis.CLEAR_FRACTION * threshold), names.unit(), amount(threshold), names.unit());
        return new AlertRecord(Type.SURPLUS_CLEARED.wire() + "/" + site + "/" + material + "/" + episode, Type.SURPLUS_CLEARED,
                site, material, null, available, threshold, null, ts, message);
    }

    /** A match opening; {@code t.open()} must be true. */
    public static AlertRecord match(MatchBook.Transition t, String material, long episode, String materialName, String unit, Instant ts) {
        MatchBook.Supply s = t.supply();
        MatchBook.Demand d = t.demand();
        String message = String.format(Locale.ROOT, "%s has %s %s of %s available, %s km from %s, which wants %s %s",
                s.siteName(), amount(s.available()), unit, materialName, amount(t.distanceKm()), d.siteName(), amount(d.quantity()), unit);
        return new AlertRecord(Type.MATCH.wire() + "/" + s.site() + "/" + material + "/" + d.site() + "/" + episode, Type.MATCH,
                s.site(), material, d.site(), s.available(), d.quantity(), t.distanceKm(), ts, message);
    }

    /** A match closing; {@code t.open()} must be false. Supply or demand may be gone: names fall back to ids. */
    public static AlertRecord matchClosed(MatchBook.Transition t, String material, long episode, String materialName, String unit, Instant ts) {
        String supplier = t.supply() != null ? t.supply().siteName() : t.pair().supplier();
        String demander = t.demand() != null ? t.demand().siteName() : t.pair().demander();
        Double available = t.supply() != null ? t.supply().available() : null;
        Double quantity = t.demand() != null ? t.demand().quantity() : null;
        String message = String.format(Locale.ROOT, "Match closed: %s of %s for %s, because %s",
                materialName, supplier, demander, t.reason().text());
        return new AlertRecord(Type.MATCH_CLOSED.wire() + "/" + t.pair().supplier() + "/" + material + "/" + t.pair().demander() + "/" + episode,
                Type.MATCH_CLOSED, t.pair().supplier(), material, t.pair().demander(), available, quantity, t.distanceKm(), ts, message);
    }

    /** An amount as a person writes it: whole numbers from 100 up, one decimal below. */
    static String amount(double v) {
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        String s = String.format(Locale.ROOT, "%.1f", v);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }
}
