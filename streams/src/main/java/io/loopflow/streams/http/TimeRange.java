package io.loopflow.streams.http;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * The time range of {@code /api/flows} and {@code /api/figures}: either {@code last} (an ISO-8601 duration such
 * as {@code PT1H}, ending now) or {@code from} and optionally {@code to} (RFC 3339 instants, {@code to} defaulting
 * to now), never both kinds. Bad or missing values are a {@link BadParameterException} naming the parameter.
 */
public record TimeRange(Instant from, Instant to) {
    /** The parameter names a time range is read from. */
    public static final Set<String> PARAMETERS = Set.of("last", "from", "to");

    /** The range the parameters name, relative to {@code clock}'s now. */
    public static TimeRange parse(QueryParameters params, Clock clock) {
        Instant now = clock.instant();
        String last = params.getOrNull("last");
        String from = params.getOrNull("from");
        String to = params.getOrNull("to");
        if (last != null) {
            if (from != null || to != null) {
                throw new BadParameterException("give either last or from/to, not both");
            }
            Duration d;
            try {
                d = Duration.parse(last);
            } catch (DateTimeParseException e) {
                throw new BadParameterException("last must be an ISO-8601 duration such as PT1H or P1D, got '" + last + "'", e);
            }
            if (d.isNegative() || d.isZero()) {
                throw new BadParameterException("last must be a positive duration, got '" + last + "'");
            }
            return new TimeRange(now.minus(d), now);
        }
        if (from == null) {
            throw new BadParameterException("give last (e.g. last=PT1H) or from (and optionally to), RFC 3339 instants");
        }
        Instant start = instant("from", from);
        Instant end = to == null ? now : instant("to", to);
        if (!start.isBefore(end)) {
            throw new BadParameterException("from must be before to, got from=" + start + " to=" + end);
        }
        return new TimeRange(start, end);
    }

    private static Instant instant(String name, String value) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new BadParameterException(name + " must be an RFC 3339 instant such as 2026-11-22T10:00:00Z, got '" + value + "'", e);
        }
    }
}
