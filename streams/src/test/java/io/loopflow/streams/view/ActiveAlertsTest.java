package io.loopflow.streams.view;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopflow.core.model.AlertRecord;
import io.loopflow.core.model.AlertRecord.Type;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ActiveAlertsTest {
    private static AlertRecord alert(String id, Type type, int minute) {
        return new AlertRecord(id, type, "asnaes", "gypsum", null, 1.0, 1.0, null, Instant.parse("2026-11-22T10:00:00Z").plusSeconds(60L * minute), "m");
    }

    @Test
    void shouldKeepOnlyRaisedSurplusAndOpenMatchesOldestFirst() {
        List<AlertRecord> all = List.of(
                alert("surplus.available/asnaes/gypsum/1", Type.SURPLUS_AVAILABLE, 0),
                alert("match/asnaes/gypsum/gyproc/1", Type.MATCH, 1),
                alert("surplus.cleared/asnaes/gypsum/1", Type.SURPLUS_CLEARED, 2),
                alert("match.closed/asnaes/gypsum/gyproc/1", Type.MATCH_CLOSED, 3),
                alert("match/asnaes/gypsum/gyproc/2", Type.MATCH, 5),
                alert("surplus.available/asnaes/gypsum/2", Type.SURPLUS_AVAILABLE, 4));

        assertThat(ActiveAlerts.of(all)).extracting(AlertRecord::id)
                .containsExactly("surplus.available/asnaes/gypsum/2", "match/asnaes/gypsum/gyproc/2");
    }
}
