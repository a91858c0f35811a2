package io.loopflow.app;

import io.loopflow.streams.window.KpiWindow;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads one key-figure window of {@code --kpi-windows}: {@code 1mo} (or {@code P1M}) for the
 * calendar month, {@code 1d} for the calendar day, or a duration shorter than a day as
 * {@link DurationConverter} reads it ({@code 15m}, {@code 1h}, {@code PT1H}). picocli names the flag
 * in its error.
 */
public final class KpiWindowConverter implements ITypeConverter<KpiWindow> {

    @Override
    public KpiWindow convert(String value) {
        String text = value == null ? "" : value.trim();
        if (text.equals("1mo") || text.equalsIgnoreCase("P1M")) {
            return KpiWindow.MONTH;
        }
        try {
            return KpiWindow.of(DurationConverter.parse(text));
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("'" + value + "': " + e.getMessage());
        }
    }

    /** {@code w} as the flag accepts it: {@code 1h}, {@code 1d}, {@code 1mo}. */
    public static String format(KpiWindow w) {
        return switch (w.kind()) {
            case DAY -> "1d";
            case MONTH -> "1mo";
            case FIXED -> DurationConverter.format(java.time.Duration.ofMillis(w.fixedMs()));
        };
    }
}
