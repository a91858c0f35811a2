package io.loopflow.app;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads {@code --min-ts}: an RFC 3339 time with offset ({@code 2000-01-01T00:00:00Z}) or a date
 * ({@code 2000-01-01}, midnight UTC), not in the future (every reading would be rejected). picocli names the
 * flag in its error ("Invalid value for option '--min-ts': ...").
 */
public final class MinTsConverter implements ITypeConverter<Instant> {

    @Override
    public Instant convert(String value) {
        return parse(value);
    }

    /** Parses {@code value}; throws {@link TypeConversionException} saying what is accepted. */
    public static Instant parse(String value) {
        String text = value == null ? "" : value.trim();
        Instant t;
        try {
            t = text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant() : OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new TypeConversionException("'" + value + "' is not an RFC 3339 time with offset (e.g. 2000-01-01T00:00:00Z) "
                    + "or a date (2000-01-01)");
        }
        if (t.isAfter(Instant.now())) {
            throw new TypeConversionException("'" + value + "' is in the future: every reading would be rejected");
        }
        return t;
    }
}
