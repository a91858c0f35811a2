package io.loopflow.core.inbound;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * The common spellings of an RFC 3339 timestamp, {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]} followed by {@code Z} or
 * {@code ±HH:MM}, read with a few arithmetic steps. Anything else (a leap second, minutes without seconds, an offset
 * with seconds, an impossible date, a malformed text) gives null, and the caller reads it with
 * {@code DateTimeFormatter.ISO_OFFSET_DATE_TIME} as before, which accepts or rejects it and says why: so what is
 * accepted, and the instant it means, are exactly the formatter's. Why: the formatter builds a new parser context for
 * each timestamp; for {@code loopflow import} that was a quarter of its time per row.
 */
final class FastRfc3339 {
    private FastRfc3339() {
    }

    /** The instant of {@code s} (already normalised to an upper-case {@code T} and {@code Z}), or null. */
    static Instant parse(String s) {
        int n = s.length();
        if (n < 20 || n > 35 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
                || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int offsetAt;
        int offsetSeconds;
        if (s.charAt(n - 1) == 'Z') {
            offsetAt = n - 1;
            offsetSeconds = 0;
        } else {
            offsetAt = n - 6;
            char sign = s.charAt(offsetAt);
            if ((sign != '+' && sign != '-') || s.charAt(n - 3) != ':') {
                return null;
            }
            int oh = digits(s, n - 5, 2);
            int om = digits(s, n - 2, 2);
            if (oh < 0 || om < 0 || om > 59 || oh > 18 || (oh == 18 && om > 0)) {
                return null;
            }
            offsetSeconds = (sign == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        }
        int nanos = 0;
        if (offsetAt > 19) {
            int fraction = offsetAt - 20;
            if (s.charAt(19) != '.' || fraction < 1 || fraction > 9) {
                return null;
            }
            int f = digits(s, 20, fraction);
            if (f < 0) {
                return null;
            }
            nanos = f;
            for (int i = fraction; i < 9; i++) {
                nanos *= 10;
            }
        } else if (offsetAt != 19) {
            return null;
        }
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException e) {
            return null;
        }
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second - offsetSeconds, nanos);
    }

    /** The number in {@code s[from, from + count)}, or -1 if a character there is not an ASCII digit. */
    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
