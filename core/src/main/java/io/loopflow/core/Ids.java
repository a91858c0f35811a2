package io.loopflow.core;

import java.util.regex.Pattern;

/**
 * Identifier rules of CONTRACT.md section 1: {@code site}, {@code meter}, {@code material} and
 * {@code region} ids are 1-64 characters of {@code a-z 0-9 - _ .}, starting with a letter or digit.
 * An invalid id is rejected, never sanitised into a different one.
 */
public final class Ids {
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private Ids() {
    }

    /** True when {@code id} is a valid LoopFlow identifier. */
    public static boolean isValid(String id) {
        // The pattern ID, checked by hand: this runs several times for every reading, and a Matcher per call showed in profiles.
        if (id == null || id.isEmpty() || id.length() > 64 || !letterOrDigit(id.charAt(0))) {
            return false;
        }
        for (int i = 1; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!letterOrDigit(c) && c != '.' && c != '_' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean letterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    /** The rule as a regular expression (what {@link #isValid} checks), for tests and documentation. */
    static Pattern pattern() {
        return ID;
    }

    /**
     * Returns {@code id} when it is valid.
     *
     * @throws ValidationException ({@code invalid_field}) naming {@code what} otherwise
     */
    public static String require(String what, String id) {
        if (!isValid(id)) {
            throw new ValidationException(RejectReason.INVALID_FIELD,
                    "invalid " + what + " id '" + abbreviate(id) + "': 1-64 characters of a-z 0-9 - _ . starting with a letter or digit");
        }
        return id;
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
