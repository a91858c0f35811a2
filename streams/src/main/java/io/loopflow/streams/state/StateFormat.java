package io.loopflow.streams.state;

/**
 * The format of the stream processor's internal state: store values (and so their changelogs) and
 * repartition records start with {@link #VERSION}. Format 1 was JSON (its first byte is {@code '{'});
 * format 2 is {@link Bin} with one held reading and one seq per entry; format 3 keeps held readings in
 * chunks of up to 32 and seqs as bits of 64-bit words, and the clock of a meter the key of its last chunk. A processor never reads another format: it stops with
 * {@link StateFormatException}, whose message says how to reset (README, "Upgrading the stream
 * processor's state"), rather than computing figures from state it misreads.
 */
public final class StateFormat {
    /** The format this code writes and reads. */
    public static final int VERSION = 3;

    /** What to do when the state is of another format. */
    public static final String RESET_HINT = "stop every `loopflow streams`/`loopflow local` of this application id, then reset it: "
            + "`kafka-streams-application-reset.sh --bootstrap-server <kafka> --application-id <application-id>` (also for "
            + "`<application-id>-surplus`) and delete the state directory (`--state-dir`, or `<data-dir>/streams` for local mode); "
            + "the figures are then recomputed from `loopflow.readings` (README: Upgrading the stream processor's state)";

    private StateFormat() {
    }

    /** The format a value was written in: 1 for JSON, else its first byte. */
    public static int versionOf(byte[] value) {
        if (value == null || value.length == 0) {
            return -1;
        }
        return value[0] == '{' ? 1 : value[0] & 0xFF;
    }

    /** Checks that {@code value} is of this format. */
    public static void check(byte[] value, String what) {
        int version = versionOf(value);
        if (version != VERSION) {
            throw new StateFormatException(what, version);
        }
    }

    /** State of another format was found. */
    public static final class StateFormatException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        public StateFormatException(String what, int version) {
            super(what + " was written in state format " + (version < 0 ? "(empty)" : version) + ", this stream processor reads format "
                    + VERSION + ": " + RESET_HINT);
        }

        public StateFormatException(String message) {
            super(message + ": " + RESET_HINT);
        }
    }
}
