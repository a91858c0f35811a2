package io.loopflow.app;

import java.time.DateTimeException;
import java.time.ZoneId;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads {@code --time-zone}: an IANA time-zone id ({@code Europe/Copenhagen}, {@code UTC}). Fixed
 * offsets ({@code +01:00}) are refused: they know no daylight saving, so local days would be wrong
 * half the year. picocli names the flag in its error.
 */
public final class TimeZoneConverter implements ITypeConverter<ZoneId> {

    @Override
    public ZoneId convert(String value) {
        String text = value == null ? "" : value.trim();
        if (text.isEmpty()) {
            return null; // not given: the command's default applies
        }
        if (text.startsWith("+") || text.startsWith("-")) {
            throw new TypeConversionException("'" + value + "' is a fixed offset: give the region's IANA time zone (e.g. Europe/Copenhagen)");
        }
        try {
            return ZoneId.of(text);
        } catch (DateTimeException e) {
            throw new TypeConversionException("'" + value + "' is not an IANA time zone such as Europe/Copenhagen or UTC");
        }
    }
}
