package io.loopflow.streams.window;

/** Tumbling-window arithmetic; windows are aligned to the epoch (1 d windows start at 00:00 UTC). */
public final class Windows {
    private Windows() {
    }

    /** Start of the window of {@code sizeMs} that holds {@code ts}. */
    public static long startOf(long ts, long sizeMs) {
        return Math.floorDiv(ts, sizeMs) * sizeMs;
    }

    private static final String ZEROS = "0000000000000000000";

    /** Zero-padded epoch ms (19 digits), so store keys of windows after 1970 sort in time order. */
    public static String keyPart(long epochMs) {
        String digits = Long.toString(epochMs);
        if (epochMs < 0) {
            // Keys are only scanned by prefix, never by range: a pre-1970 window just needs a unique key.
            return digits;
        }
        return ZEROS.substring(digits.length()) + digits;
    }
}
