package io.loopflow.streams.view;

import io.loopflow.core.model.AlertRecord;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which alerts are still active: a {@code surplus.available} without its {@code surplus.cleared},
 * a {@code match} without its {@code match.closed}. Pairs are found by id: a clearing alert's id
 * is its raising alert's id with the type replaced (see {@code io.loopflow.core.surplus.Alerts}).
 */
public final class ActiveAlerts {
    private ActiveAlerts() {
    }

    /** The active alerts among {@code all}, oldest first. */
    public static List<AlertRecord> of(List<AlertRecord> all) {
        Set<String> ended = new HashSet<>();
        for (AlertRecord a : all) {
            if (a.type() == AlertRecord.Type.SURPLUS_CLEARED) {
                ended.add(raisingId(a.id(), AlertRecord.Type.SURPLUS_CLEARED, AlertRecord.Type.SURPLUS_AVAILABLE));
            } else if (a.type() == AlertRecord.Type.MATCH_CLOSED) {
                ended.add(raisingId(a.id(), AlertRecord.Type.MATCH_CLOSED, AlertRecord.Type.MATCH));
            }
        }
        return all.stream()
                .filter(a -> (a.type() == AlertRecord.Type.SURPLUS_AVAILABLE || a.type() == AlertRecord.Type.MATCH) && !ended.contains(a.id()))
                .sorted(Comparator.comparing(AlertRecord::ts).thenComparing(AlertRecord::id))
                .toList();
    }

    private static String raisingId(String id, AlertRecord.Type ending, AlertRecord.Type raising) {
        return raising.wire() + id.substring(ending.wire().length());
    }
}
