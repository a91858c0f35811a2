package io.loopflow.streams.view;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * A key-figure window's length as text (the {@code window} field of {@code loopflow.kpis}): a fixed length in
 * ISO-8601 ({@code PT1H}, {@code P1D}) or a calendar length in months or years ({@code P1M}). One spelling per
 * length, so that {@code PT24H} and {@code P1D} are the same window whatever type the record's field has.
 */
public final class WindowLength {
    private static final Pattern CALENDAR = Pattern.compile("P\\d+[MY]");

    private WindowLength() {
    }

    /** True when {@code text} is a window length: an ISO-8601 duration or {@code P<n>M}/{@code P<n>Y}. */
    public static boolean valid(String text) {
        if (text == null) {
            return false;
        }
        try {
            Duration.parse(text);
            return true;
        } catch (DateTimeParseException e) {
            return CALENDAR.matcher(text).matches();
        }
    }

    /** The one spelling of {@code window}: a fixed length as {@link Duration#toString()}, a calendar length as written. */
    public static String canonical(String window) {
        try {
            return Duration.parse(window).toString();
        } catch (DateTimeParseException e) {
            return window;
        }
    }
}
