package io.loopflow.app;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a duration flag: a whole number with a unit, {@code 500ms}, {@code 30s}, {@code 5m},
 * {@code 1h}, {@code 1d}, or an ISO-8601 duration such as {@code PT1H30M}. Negative values are
 * refused. picocli names the flag in its error ("Invalid value for option '--grace': ...").
 */
public final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    /** Parses {@code value}; throws {@link TypeConversionException} saying what is accepted. */
    public static Duration parse(String value) {
        String text = value == null ? "" : value.trim();
        Matcher m = SHORT.matcher(text);
        try {
            if (m.matches()) {
                long amount = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    default -> Duration.ofDays(amount);
                };
            }
            if (text.startsWith("P") || text.startsWith("p")) {
                Duration d = Duration.parse(text);
                if (!d.isNegative()) {
                    return d;
                }
            }
        } catch (ArithmeticException | NumberFormatException | DateTimeParseException e) {
            throw new TypeConversionException("'" + value + "' is out of range for a duration");
        }
        throw new TypeConversionException("'" + value
                + "' is not a duration: use a whole number with ms, s, m, h or d (e.g. 30s, 5m, 1h, 1d) or ISO-8601 (PT1H)");
    }

    /** {@code d} in the short form the flags accept, e.g. {@code 5m}; for log lines and help. */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        long ms = d.toMillis();
        if (ms % 86_400_000L == 0) {
            return ms / 86_400_000L + "d";
        }
        if (ms % 3_600_000L == 0) {
            return ms / 3_600_000L + "h";
        }
        if (ms % 60_000L == 0) {
            return ms / 60_000L + "m";
        }
        if (ms % 1000L == 0) {
            return ms / 1000L + "s";
        }
        return ms + "ms";
    }
}
