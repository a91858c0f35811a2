package io.loopflow.streams.state;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The compact binary encoding of the stream processor's internal store values, store keys and
 * repartition records (the wire contract's topics stay JSON). Big-endian fixed-width numbers,
 * strings as a length byte pair and UTF-8. Every value starts with {@link StateFormat#VERSION}
 * ({@link Writer#value()} / {@link Reader#value}); keys carry no version (their store names and
 * the value beside them do).
 *
 * <p>Key order: {@link Writer#key()} writes ids followed by a 0 byte (ids never contain one, see
 * CONTRACT.md section 1) and instants as sign-flipped big-endian longs, so that a key sorts by id,
 * then by time, under Kafka's unsigned lexicographic {@code Bytes} order: a prefix of ids selects
 * one site, meter or window series and a range of times within it is a range scan.
 */
public final class Bin {
    private Bin() {
    }

    /** A growable output buffer; not thread-safe. */
    public static final class Writer {
        /**
         * One scratch buffer per thread, lent to one writer at a time: a reading writes half a dozen keys and values,
         * and a fresh growing buffer for each showed as a tenth of the stream thread's allocations. A writer built while
         * another holds the scratch (nested use) gets its own buffer; {@link #bytes()} returns the scratch.
         */
        private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

        private static final class Scratch {
            final byte[] buf = new byte[512];
            boolean lent;
        }

        private byte[] buf;
        private int len;
        private Scratch scratch;

        private Writer(int capacity) {
            Scratch s = SCRATCH.get();
            if (!s.lent && capacity <= s.buf.length) {
                s.lent = true;
                scratch = s;
                buf = s.buf;
            } else {
                buf = new byte[capacity];
            }
        }

        /** A writer for a store value or repartition record: starts with the format version. */
        public static Writer value() {
            Writer w = new Writer(64);
            w.u8(StateFormat.VERSION);
            return w;
        }

        /** A writer for a store key (keys are short: ids and a number or two). */
        public static Writer key() {
            return new Writer(40);
        }

        private void ensure(int more) {
            if (len + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
            }
        }

        public Writer u8(int v) {
            ensure(1);
            buf[len++] = (byte) v;
            return this;
        }

        public Writer bool(boolean v) {
            return u8(v ? 1 : 0);
        }

        public Writer i32(int v) {
            ensure(4);
            buf[len++] = (byte) (v >>> 24);
            buf[len++] = (byte) (v >>> 16);
            buf[len++] = (byte) (v >>> 8);
            buf[len++] = (byte) v;
            return this;
        }

        public Writer i64(long v) {
            ensure(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                buf[len++] = (byte) (v >>> shift);
            }
            return this;
        }

        public Writer f64(double v) {
            return i64(Double.doubleToRawLongBits(v));
        }

        /** A string of up to 65,535 UTF-8 bytes, or null. */
        public Writer str(String s) {
            if (s == null) {
                ensure(2);
                buf[len++] = (byte) 0xFF;
                buf[len++] = (byte) 0xFF;
                return this;
            }
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length >= 0xFFFF) {
                bytes(); // gives the scratch back: this writer is abandoned
                throw new IllegalArgumentException("string of " + b.length + " bytes is too long for a store value");
            }
            ensure(2 + b.length);
            buf[len++] = (byte) (b.length >>> 8);
            buf[len++] = (byte) b.length;
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
            return this;
        }

        /** A nullable long: a presence byte, then the value. */
        public Writer optI64(Long v) {
            bool(v != null);
            return v == null ? this : i64(v);
        }

        /** An id in a key: its UTF-8 bytes, then a 0 byte. */
        public Writer id(String id) {
            byte[] b = id.getBytes(StandardCharsets.UTF_8);
            ensure(b.length + 1);
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
            buf[len++] = 0;
            return this;
        }

        /** A time or number in a key, so that keys sort by it (negative before positive). */
        public Writer ordered(long v) {
            return i64(v ^ Long.MIN_VALUE);
        }

        /** What was written; the writer must not be used afterwards. */
        public byte[] bytes() {
            byte[] out = scratch == null && len == buf.length ? buf : Arrays.copyOf(buf, len);
            if (scratch != null) {
                scratch.lent = false;
                scratch = null;
                buf = null;
            }
            return out;
        }
    }

    /** Reads what a {@link Writer} wrote, in the same order. */
    public static final class Reader {
        private final byte[] buf;
        private int pos;

        private Reader(byte[] buf, int pos) {
            this.buf = buf;
            this.pos = pos;
        }

        /**
         * A reader of a store value or repartition record of {@code what} (named in the error).
         *
         * @throws StateFormat.StateFormatException when it was written in another format
         */
        public static Reader value(byte[] bytes, String what) {
            StateFormat.check(bytes, what);
            return new Reader(bytes, 1);
        }

        /** A reader of a key, from {@code offset}. */
        public static Reader key(byte[] bytes, int offset) {
            return new Reader(bytes, offset);
        }

        public int u8() {
            return buf[pos++] & 0xFF;
        }

        public boolean bool() {
            return u8() != 0;
        }

        public int i32() {
            int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8) | (buf[pos + 3] & 0xFF);
            pos += 4;
            return v;
        }

        public long i64() {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (buf[pos++] & 0xFF);
            }
            return v;
        }

        public double f64() {
            return Double.longBitsToDouble(i64());
        }

        public String str() {
            int n = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
            pos += 2;
            if (n == 0xFFFF) {
                return null;
            }
            String s = new String(buf, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }

        public Long optI64() {
            return bool() ? i64() : null;
        }

        /** An id written by {@link Writer#id}. */
        public String id() {
            int end = pos;
            while (buf[end] != 0) {
                end++;
            }
            String s = new String(buf, pos, end - pos, StandardCharsets.US_ASCII);
            pos = end + 1;
            return s;
        }

        /** A number written by {@link Writer#ordered}. */
        public long ordered() {
            return i64() ^ Long.MIN_VALUE;
        }

        public boolean hasMore() {
            return pos < buf.length;
        }
    }
}
