package io.loopflow.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What the fast path reads, it reads as {@code ISO_OFFSET_DATE_TIME} does; everything else it leaves to it. */
class FastRfc3339Test {
    private static Instant iso(String s) {
        try {
            return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    @Test
    void givesTheFormattersInstantForRandomTimestampsOffsetsAndFractions() {
        Random random = new Random(7);
        for (int i = 0; i < 100_000; i++) {
            Instant at = Instant.ofEpochSecond(-2_208_988_800L + (long) (random.nextDouble() * 9_467_280_000L), random.nextInt(1_000_000_000));
            // whole and half hours from -17:30 to +17:30, and UTC (written Z)
            int halfHours = random.nextInt(71) - 35;
            ZoneOffset offset = ZoneOffset.ofTotalSeconds(i % 5 == 0 ? 0 : halfHours * 1800);
            String text = OffsetDateTime.ofInstant(at, offset).format(i % 2 == 0 ? DateTimeFormatter.ISO_OFFSET_DATE_TIME
                    : DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX"));
            assertThat(FastRfc3339.parse(text)).as(text).isEqualTo(iso(text));
        }
    }

    @Test
    void leavesEveryOtherSpellingToTheFormatter() {
        for (String s : new String[] {"2026-11-22T10:15Z", "2026-06-30T23:59:60Z", "2026-02-30T10:00:00Z", "2026-11-22T10:15:00+01:00:30",
                "2026-11-22T10:15:00.Z", "2026-11-22T10:15:00.1234567890Z", "2026-11-22T24:00:00Z", "2026-11-22T10:15:00+19:00",
                "2026-11-22T10:15:00+0100", "2026-11-22T10:15:00", "+12026-11-22T10:15:00Z", "2026-1a-22T10:15:00Z", "2026-11-22T10:15:00+18:30"}) {
            assertThat(FastRfc3339.parse(s)).as(s).isNull();
        }
        assertThat(FastRfc3339.parse("2026-11-22T11:15:00.5+01:00")).isEqualTo(Instant.parse("2026-11-22T10:15:00.500Z"));
        assertThat(FastRfc3339.parse("2026-11-22T10:15:00-00:00")).isEqualTo(iso("2026-11-22T10:15:00-00:00"));
        assertThat(FastRfc3339.parse("2026-11-22T10:15:00+18:00")).isEqualTo(iso("2026-11-22T10:15:00+18:00"));
    }
}
