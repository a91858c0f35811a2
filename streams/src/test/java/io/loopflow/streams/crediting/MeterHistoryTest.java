package io.loopflow.streams.crediting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loopflow.core.model.MeterKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeterHistoryTest {
    private static final long MIN = 60_000;
    private static final long GAP_MAX = 15 * MIN;

    /** Applies every insertion's changes to per-ts credits, like the windows would. */
    private static Map<Long, Double> creditsAfter(MeterKind kind, long[] ts, double[] values) {
        MeterHistory h = new MeterHistory(kind, GAP_MAX, List.of());
        Map<Long, Double> credited = new HashMap<>();
        for (int i = 0; i < ts.length; i++) {
            for (CreditChange c : h.insert(ts[i], values[i], null).changes()) {
                credited.merge(c.ts(), c.delta(), Double::sum);
            }
        }
        return credited;
    }

    @Test
    void counterCreditsDifferencesAndTheFirstReadingZero() {
        Map<Long, Double> credits = creditsAfter(MeterKind.COUNTER, new long[] {0, MIN, 2 * MIN}, new double[] {100, 102.5, 110});

        assertThat(credits).containsEntry(0L, 0.0).containsEntry(MIN, 2.5).containsEntry(2 * MIN, 7.5);
    }

    @Test
    void counterThatDropsWasResetAndCreditsItsValue() {
        Map<Long, Double> credits = creditsAfter(MeterKind.COUNTER, new long[] {0, MIN, 2 * MIN}, new double[] {100, 3, 5});

        assertThat(credits).containsEntry(MIN, 3.0).containsEntry(2 * MIN, 2.0);
    }

    @Test
    void counterOutOfOrderGivesTheSameCreditsAsInOrder() {
        Map<Long, Double> inOrder = creditsAfter(MeterKind.COUNTER, new long[] {0, MIN, 2 * MIN, 3 * MIN}, new double[] {10, 12, 20, 24});
        Map<Long, Double> shuffled = creditsAfter(MeterKind.COUNTER, new long[] {2 * MIN, 0, 3 * MIN, MIN}, new double[] {20, 10, 24, 12});

        assertThat(shuffled).isEqualTo(inOrder);
        assertThat(inOrder.values().stream().mapToDouble(Double::doubleValue).sum()).isEqualTo(14.0);
    }

    @Test
    void rateIntegratesTrapezoidsPerHour() {
        // 6 t/h then 12 t/h over 30 min: (6 + 12) / 2 * 0.5 h = 4.5 t
        Map<Long, Double> credits = creditsAfter(MeterKind.RATE, new long[] {0, 10 * MIN, 20 * MIN, 30 * MIN},
                new double[] {6, 6, 12, 12});

        assertThat(credits).containsEntry(0L, 0.0).containsEntry(10 * MIN, 1.0).containsEntry(20 * MIN, 1.5).containsEntry(30 * MIN, 2.0);
    }

    @Test
    void rateOutOfOrderGivesTheSameCreditsAsInOrder() {
        Map<Long, Double> inOrder = creditsAfter(MeterKind.RATE, new long[] {0, 10 * MIN, 20 * MIN, 30 * MIN}, new double[] {6, 6, 12, 12});
        Map<Long, Double> shuffled = creditsAfter(MeterKind.RATE, new long[] {30 * MIN, 10 * MIN, 0, 20 * MIN}, new double[] {12, 6, 6, 12});

        assertThat(shuffled).isEqualTo(inOrder);
    }

    @Test
    void rateGapOverGapMaxCreditsZeroAndIsReported() {
        MeterHistory h = new MeterHistory(MeterKind.RATE, GAP_MAX, List.of());
        h.insert(0, 10, null);

        MeterHistory.Insertion after = h.insert(16 * MIN, 10, null);

        assertThat(after.changes()).containsExactly(new CreditChange(16 * MIN, 0, true));
        assertThat(after.gaps()).containsExactly(new MeterHistory.Gap(0, 16 * MIN));
    }

    @Test
    void rateGapOfExactlyGapMaxIsIntegrated() {
        MeterHistory h = new MeterHistory(MeterKind.RATE, GAP_MAX, List.of());
        h.insert(0, 4, null);

        MeterHistory.Insertion after = h.insert(GAP_MAX, 4, null);

        assertThat(after.changes()).containsExactly(new CreditChange(GAP_MAX, 1.0, true));
        assertThat(after.gaps()).isEmpty();
    }

    @Test
    void readingFillingAGapCorrectsTheNextCreditAndReportsNoNewGap() {
        MeterHistory h = new MeterHistory(MeterKind.RATE, GAP_MAX, List.of());
        h.insert(0, 6, null);
        assertThat(h.insert(20 * MIN, 6, null).gaps()).hasSize(1);

        MeterHistory.Insertion fill = h.insert(10 * MIN, 6, null);

        assertThat(fill.changes()).containsExactly(new CreditChange(10 * MIN, 1.0, true), new CreditChange(20 * MIN, 1.0, false));
        assertThat(fill.gaps()).isEmpty();
    }

    @Test
    void quantityCreditsItsValueAndNeverTouchesItsNeighbours() {
        MeterHistory h = new MeterHistory(MeterKind.QUANTITY, GAP_MAX, List.of());
        h.insert(2 * MIN, 24.3, 2L);

        MeterHistory.Insertion earlier = h.insert(MIN, 10, 1L);

        assertThat(earlier.changes()).containsExactly(new CreditChange(MIN, 10, true));
    }

    @Test
    void knowsHeldTimestampsAndSequenceNumbersAndRefusesToInsertATimestampTwice() {
        MeterHistory h = new MeterHistory(MeterKind.COUNTER, GAP_MAX, List.of());
        h.insert(MIN, 1, 41L);

        assertThat(h.holdsTs(MIN)).isTrue();
        assertThat(h.holdsSeq(41)).isTrue();
        assertThat(h.holdsSeq(42)).isFalse();
        assertThatThrownBy(() -> h.insert(MIN, 2, 42L)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pruningKeepsTheReadingJustBeforeTheFloorAsPredecessor() {
        MeterHistory h = new MeterHistory(MeterKind.COUNTER, GAP_MAX, List.of());
        for (long t = 0; t < 5; t++) {
            h.insert(t * MIN, 10 * t, null);
        }

        h.pruneBefore(3 * MIN);

        List<Long> kept = new ArrayList<>();
        h.readings().forEach(r -> kept.add(r.ts()));
        assertThat(kept).containsExactly(2 * MIN, 3 * MIN, 4 * MIN);
        // A reading inserted after the floor still credits from its true predecessor.
        assertThat(h.insert(3 * MIN + 1, 35, null).changes())
                .containsExactly(new CreditChange(3 * MIN + 1, 5, true), new CreditChange(4 * MIN, -5, false));
    }
}
