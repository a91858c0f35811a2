package io.loopflow.streams.crediting;

import io.loopflow.core.model.MeterKind;
import java.util.List;

/**
 * Inserting one reading into a meter's readings in {@code ts} order (CONTRACT.md section 3): the
 * credit changes that make every window hold what in-order crediting would have given it. Only
 * the reading's two neighbours matter: it is credited from its predecessor, and its successor,
 * credited so far from the predecessor, is re-credited from it. The caller finds the neighbours
 * (a range lookup in the store of held readings), so the cost of a reading never depends on how
 * many readings the meter holds. Pure.
 */
public final class Crediting {
    private Crediting() {
    }

    /** What inserting a reading did: credit changes to apply and rate gaps first seen. */
    public record Insertion(List<CreditChange> changes, List<Gap> gaps) {
    }

    /** A rate gap: no credit between {@code fromTs} and {@code toTs} because it exceeds {@code gap.max}. */
    public record Gap(long fromTs, long toTs) {
    }

    /**
     * Credits a reading at {@code ts} with canonical {@code value} inserted between
     * {@code previous} and {@code next} (its neighbours in {@code ts} order among the meter's
     * accepted readings, null where there is none).
     */
    public static Insertion insert(MeterKind kind, long gapMaxMs, HeldReading previous, HeldReading next, long ts, double value) {
        if (kind == MeterKind.LEVEL) {
            throw new IllegalArgumentException("level readings credit no window");
        }
        Credit own = Credit.of(kind, previous, ts, value, gapMaxMs);
        CreditChange ownChange = new CreditChange(ts, own.amount(), true);
        Gap ownGap = own.gap() ? new Gap(previous.ts(), ts) : null;
        if (next == null || kind == MeterKind.QUANTITY) {
            // A quantity's credit is its own value: its neighbours' credits do not change.
            return new Insertion(List.of(ownChange), ownGap == null ? List.of() : List.of(ownGap));
        }
        HeldReading inserted = new HeldReading(ts, value, null);
        Credit before = Credit.of(kind, previous, next.ts(), next.value(), gapMaxMs);
        Credit after = Credit.of(kind, inserted, next.ts(), next.value(), gapMaxMs);
        double delta = after.amount() - before.amount();
        // A gap after the inserted reading was already a gap (a longer one) unless `next` used to be first.
        Gap nextGap = after.gap() && previous == null ? new Gap(ts, next.ts()) : null;
        List<CreditChange> changes = delta != 0 ? List.of(ownChange, new CreditChange(next.ts(), delta, false)) : List.of(ownChange);
        List<Gap> gaps = ownGap == null ? (nextGap == null ? List.of() : List.of(nextGap))
                : (nextGap == null ? List.of(ownGap) : List.of(ownGap, nextGap));
        return new Insertion(changes, gaps);
    }
}
