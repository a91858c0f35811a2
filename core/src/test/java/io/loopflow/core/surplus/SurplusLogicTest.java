package io.loopflow.core.surplus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.loopflow.core.model.AlertRecord;
import io.loopflow.core.surplus.MatchBook.CloseReason;
import io.loopflow.core.surplus.MatchBook.Demand;
import io.loopflow.core.surplus.MatchBook.Pair;
import io.loopflow.core.surplus.MatchBook.Supply;
import io.loopflow.core.surplus.MatchBook.Transition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SurplusLogicTest {
    // Kalundborg (REGIONS.md): Asnaes 55.66 N 11.09 E; Gyproc in town ~4 km east; a far demander in Copenhagen.
    private static final Supply ASNAES = new Supply("asnaes", "Asnaes", 55.66, 11.09, 120, true);
    private static final Demand GYPROC = new Demand("gyproc", "Gyproc", 55.68, 11.15, 40, 60);
    private static final Demand ROSKILDE = new Demand("roskilde", "Roskilde Plaster", 55.64, 12.08, 40, 80);
    private static final Demand COPENHAGEN = new Demand("cph", "Copenhagen Board", 55.68, 12.57, 40, 60);

    @Test
    void shouldMeasureGreatCircleDistances() {
        // Asnaes to Copenhagen city hall: about 93 km.
        assertThat(GreatCircle.km(55.66, 11.09, 55.676, 12.568)).isCloseTo(93.0, within(1.0));
        assertThat(GreatCircle.km(0, 0, 0, 1)).isCloseTo(111.195, within(0.01));
        assertThat(GreatCircle.km(55.66, 11.09, 55.66, 11.09)).isZero();
    }

    @Test
    void shouldRaiseOnceAndClearOnceForALevelOscillatingAroundTheThreshold() {
        double[] levels = {10, 49, 50, 51, 45, 50.5, 41, 39.9, 45, 50.1, 30};
        List<SurplusHysteresis.Transition> transitions = new ArrayList<>();
        boolean raised = false;
        for (double level : levels) {
            SurplusHysteresis.Transition t = SurplusHysteresis.evaluate(raised, level, 50);
            if (t != SurplusHysteresis.Transition.NONE) {
                transitions.add(t);
                raised = t == SurplusHysteresis.Transition.RAISE;
            }
        }

        assertThat(transitions).containsExactly(SurplusHysteresis.Transition.RAISE, SurplusHysteresis.Transition.CLEAR,
                SurplusHysteresis.Transition.RAISE, SurplusHysteresis.Transition.CLEAR);
    }

    @Test
    void shouldMatchEveryDemanderInReachNearestFirst() {
        List<Transition> t = MatchBook.evaluate(Map.of("asnaes", ASNAES),
                Map.of("cph", COPENHAGEN, "roskilde", ROSKILDE, "gyproc", GYPROC), Set.of());

        assertThat(t).extracting(Transition::pair).containsExactly(new Pair("asnaes", "gyproc"), new Pair("asnaes", "roskilde"));
        assertThat(t).allMatch(Transition::open);
        assertThat(t.get(0).distanceKm()).isLessThan(t.get(1).distanceKm());
    }

    @Test
    void shouldNotMatchWithoutEnoughAvailableOrCoordinatesOrWithItself() {
        Supply small = new Supply("asnaes", "Asnaes", 55.66, 11.09, 39, true);
        Supply notRaised = new Supply("asnaes", "Asnaes", 55.66, 11.09, 120, false);
        Demand unlocated = new Demand("gyproc", "Gyproc", null, null, 40, 60);
        Demand self = new Demand("asnaes", "Asnaes", 55.66, 11.09, 1, 60);

        assertThat(MatchBook.evaluate(Map.of("asnaes", small), Map.of("gyproc", GYPROC), Set.of())).isEmpty();
        assertThat(MatchBook.evaluate(Map.of("asnaes", notRaised), Map.of("gyproc", GYPROC), Set.of()))
                .as("no surplus raised, no match").isEmpty();
        assertThat(MatchBook.evaluate(Map.of("asnaes", ASNAES), Map.of("gyproc", unlocated), Set.of())).isEmpty();
        assertThat(MatchBook.evaluate(Map.of("asnaes", ASNAES), Map.of("asnaes", self), Set.of())).isEmpty();
    }

    @Test
    void shouldKeepAnOpenMatchWhileAvailableHoversAtTheQuantityAndCloseBelowEightyPercent() {
        Set<Pair> open = Set.of(new Pair("asnaes", "gyproc"));

        assertThat(MatchBook.evaluate(Map.of("asnaes", new Supply("asnaes", "Asnaes", 55.66, 11.09, 33, true)),
                Map.of("gyproc", GYPROC), open)).isEmpty();
        assertThat(MatchBook.evaluate(Map.of("asnaes", new Supply("asnaes", "Asnaes", 55.66, 11.09, 31.9, true)),
                Map.of("gyproc", GYPROC), open)).singleElement()
                .satisfies(t -> assertThat(t.reason()).isEqualTo(CloseReason.SURPLUS_CLEARED));
    }

    @Test
    void shouldCloseWhenTheSurplusClearsTheDemandGoesTheSiteMovesOrIsRemoved() {
        Set<Pair> open = Set.of(new Pair("asnaes", "gyproc"));
        Supply cleared = new Supply("asnaes", "Asnaes", 55.66, 11.09, 120, false);
        Demand moved = new Demand("gyproc", "Gyproc", 57.05, 9.92, 40, 60);

        assertThat(MatchBook.evaluate(Map.of("asnaes", cleared), Map.of("gyproc", GYPROC), open))
                .extracting(Transition::reason).containsExactly(CloseReason.SURPLUS_CLEARED);
        assertThat(MatchBook.evaluate(Map.of("asnaes", ASNAES), Map.of(), open))
                .extracting(Transition::reason).containsExactly(CloseReason.DEMAND_WITHDRAWN);
        assertThat(MatchBook.evaluate(Map.of("asnaes", ASNAES), Map.of("gyproc", moved), open))
                .extracting(Transition::reason).containsExactly(CloseReason.OUT_OF_REACH);
        assertThat(MatchBook.evaluate(Map.of(), Map.of("gyproc", GYPROC), open))
                .extracting(Transition::reason).containsExactly(CloseReason.SITE_REMOVED);
    }

    @Test
    void shouldWriteTheMessagesAndDeterministicIdsOfTheContract() {
        Transition t = MatchBook.evaluate(Map.of("asnaes", ASNAES), Map.of("gyproc", GYPROC), Set.of()).get(0);
        Instant ts = Instant.parse("2026-11-22T10:15:00Z");

        AlertRecord match = Alerts.match(t, "gypsum", 1, "FGD gypsum", "t", ts);
        AlertRecord raised = Alerts.surplusAvailable("asnaes", "gypsum", 3, 120, 50, new Alerts.Names("Asnaes", "FGD gypsum", "t"), ts);
        AlertRecord cleared = Alerts.surplusCleared("asnaes", "gypsum", 3, 35, 50, new Alerts.Names("Asnaes", "FGD gypsum", "t"), ts);

        assertThat(match.id()).isEqualTo("match/asnaes/gypsum/gyproc/1");
        assertThat(match.message()).isEqualTo("Asnaes has 120 t of FGD gypsum available, 4.4 km from Gyproc, which wants 40 t");
        assertThat(match.counterpart()).isEqualTo("gyproc");
        assertThat(raised.id()).isEqualTo("surplus.available/asnaes/gypsum/3");
        assertThat(raised.message()).isEqualTo("Asnaes has 120 t of FGD gypsum available (threshold 50 t)");
        assertThat(cleared.id()).isEqualTo("surplus.cleared/asnaes/gypsum/3");
        assertThat(cleared.message()).isEqualTo("Asnaes's surplus of FGD gypsum has cleared: 35 t left, below 40 t (80 % of the 50 t threshold)");
        assertThat(Alerts.amount(2.5)).isEqualTo("2.5");
        assertThat(Alerts.amount(3.0)).isEqualTo("3");
    }
}
