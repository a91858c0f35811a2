package io.loopflow.streams.window;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A kind of key-figure window (CONTRACT.md section 6): a fixed length shorter than a day aligned to
 * the epoch ({@code PT1H}), or a calendar day ({@code P1D}) or month ({@code P1M}) of a time zone,
 * which runs from local midnight to local midnight (23 or 25 hours on daylight-saving change days).
 * Windows of one kind are identified by their start (epoch ms); {@link #code()} identifies the kind
 * in store keys. Immutable; the calendar arithmetic is {@link java.time}'s.
 */
public final class KpiWindow {
    private static final long DAY_MS = Duration.ofDays(1).toMillis();

    /** A calendar day. */
    public static final KpiWindow DAY = new KpiWindow(Kind.DAY, 0);
    /** A calendar month. */
    public static final KpiWindow MONTH = new KpiWindow(Kind.MONTH, 0);

    /** What a window follows. */
    public enum Kind { FIXED, DAY, MONTH }

    private final Kind kind;
    private final long sizeMs;

    private KpiWindow(Kind kind, long sizeMs) {
        this.kind = kind;
        this.sizeMs = sizeMs;
    }

    /** A window of {@code length}: one day is the calendar day; other lengths are fixed and must be shorter than a day. */
    public static KpiWindow of(Duration length) {
        if (length.equals(Duration.ofDays(1))) {
            return DAY;
        }
        if (length.isNegative() || length.isZero() || length.toMillis() >= DAY_MS || length.toNanos() % 1_000_000 != 0) {
            throw new IllegalArgumentException("a key-figure window is 1d (calendar day), 1mo (calendar month) or a whole number of "
                    + "milliseconds shorter than a day, got " + length);
        }
        return new KpiWindow(Kind.FIXED, length.toMillis());
    }

    /** The window of a {@link #code()}. */
    public static KpiWindow ofCode(long code) {
        if (code == -1) {
            return DAY;
        }
        if (code == -2) {
            return MONTH;
        }
        return new KpiWindow(Kind.FIXED, code);
    }

    public Kind kind() {
        return kind;
    }

    /** True for calendar days and months. */
    public boolean calendar() {
        return kind != Kind.FIXED;
    }

    /** Length of a fixed window, ms. */
    public long fixedMs() {
        if (kind != Kind.FIXED) {
            throw new IllegalStateException(id() + " has no fixed length");
        }
        return sizeMs;
    }

    /** The window's name on {@code loopflow.kpis}: {@code PT1H}, {@code P1D}, {@code P1M}. */
    public String id() {
        return switch (kind) {
            case FIXED -> Duration.ofMillis(sizeMs).toString();
            case DAY -> "P1D";
            case MONTH -> "P1M";
        };
    }

    /** Its identity in store keys and floors: the length in ms for fixed windows, -1 for days, -2 for months. */
    public long code() {
        return switch (kind) {
            case FIXED -> sizeMs;
            case DAY -> -1;
            case MONTH -> -2;
        };
    }

    /** Start (epoch ms) of the window of this kind that holds {@code ts}, in {@code zone}. */
    public long startOf(long ts, ZoneId zone) {
        return switch (kind) {
            case FIXED -> Windows.startOf(ts, sizeMs);
            case DAY -> zone.equals(ZoneOffset.UTC) ? Windows.startOf(ts, DAY_MS) : midnight(localDate(ts, zone), zone);
            case MONTH -> midnight(localDate(ts, zone).withDayOfMonth(1), zone);
        };
    }

    /** End (epoch ms, exclusive) of the window that starts at {@code start}: the next window's start. */
    public long endOf(long start, ZoneId zone) {
        return switch (kind) {
            case FIXED -> start + sizeMs;
            case DAY -> zone.equals(ZoneOffset.UTC) ? start + DAY_MS : midnight(localDate(start, zone).plusDays(1), zone);
            case MONTH -> midnight(localDate(start, zone).withDayOfMonth(1).plusMonths(1), zone);
        };
    }

    /** The zone to state on records: the zone's id for calendar windows, null for fixed ones. */
    public String timeZone(ZoneId zone) {
        return calendar() ? zone.getId() : null;
    }

    private static LocalDate localDate(long ts, ZoneId zone) {
        return Instant.ofEpochMilli(ts).atZone(zone).toLocalDate();
    }

    private static long midnight(LocalDate date, ZoneId zone) {
        // atStartOfDay finds the first instant of the day even where midnight falls in a daylight-saving gap.
        return date.atStartOfDay(zone).toInstant().toEpochMilli();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KpiWindow w && w.kind == kind && w.sizeMs == sizeMs;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(code());
    }

    @Override
    public String toString() {
        return id();
    }
}
