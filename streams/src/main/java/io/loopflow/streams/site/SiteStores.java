package io.loopflow.streams.site;

import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.RoleSums;
import io.loopflow.core.model.SiteDescriptor;
import io.loopflow.streams.StoreNames;
import io.loopflow.streams.crediting.HeldReading;
import io.loopflow.streams.state.Bin;
import io.loopflow.streams.state.StateFormat;
import io.loopflow.streams.window.ClosedUntil;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The site processor's state, typed: each method reads or writes one kind of entry in one
 * changelogged, cached key-value store of {@link Bin}-encoded keys and values. Every entry is small and
 * bounded; nothing grows with a meter's history or a site's number of meters:
 *
 * <table>
 *   <caption>Stores (names pinned by LoopflowTopologyTest)</caption>
 *   <tr><th>store</th><th>key</th><th>value</th></tr>
 *   <tr><td>{@code loopflow-meter-descriptors}</td><td>site, meter</td><td>{@link MeterState}</td></tr>
 *   <tr><td>{@code loopflow-meter-clocks}</td><td>site, material, role, meter</td><td>{@link MeterClockState}</td></tr>
 *   <tr><td>{@code loopflow-held-readings}</td><td>site, meter, ts of its first</td><td>a chunk of up to {@link #CHUNK} {@link HeldReading}s: ts, value, seq</td></tr>
 *   <tr><td>{@code loopflow-seen-seqs}</td><td>site, meter, seq / 64</td><td>the meter's held seqs in that range, as bits of a word</td></tr>
 *   <tr><td>{@code loopflow-site-flow-windows}</td><td>site, material, role, start</td><td>{@link FlowWindowState}, open, or closed within the horizon</td></tr>
 *   <tr><td>{@code loopflow-site-kpi-windows}</td><td>site, material, window code, start</td><td>{@link KpiWindowState}: sums of its closed flow windows</td></tr>
 *   <tr><td>{@code loopflow-dirty-windows}</td><td>kind, window key</td><td>(marker) changed since last published</td></tr>
 *   <tr><td>{@code loopflow-site-materials}</td><td>site, material</td><td>{@link SiteMaterialState}</td></tr>
 *   <tr><td>{@code loopflow-site-states}</td><td>site</td><td>{@link SiteState}: descriptor, newest clock, newest closed window</td></tr>
 *   <tr><td>{@code loopflow-stock-levels}</td><td>site, meter</td><td>{@link StockLevel}</td></tr>
 * </table>
 *
 * <p>All of it is in Kafka Streams stores, written in the task's transaction: an aborted
 * transaction leaves nothing behind that the restored stores do not also have.
 */
public final class SiteStores {
    private static final BytesSerializer PREFIX = new BytesSerializer();
    private static final byte DIRTY_FLOW = 0;
    private static final byte DIRTY_KPI = 1;
    private static final byte[] MARKER = Bin.Writer.value().bytes();
    private static final Role[] ROLES = Role.values();
    private static final MeterKind[] KINDS = MeterKind.values();

    private final KeyValueStore<Bytes, byte[]> descriptors;
    private final KeyValueStore<Bytes, byte[]> clocks;
    private final KeyValueStore<Bytes, byte[]> held;
    private final KeyValueStore<Bytes, byte[]> seqs;
    private final KeyValueStore<Bytes, byte[]> flows;
    private final KeyValueStore<Bytes, byte[]> kpis;
    private final KeyValueStore<Bytes, byte[]> dirty;
    private final KeyValueStore<Bytes, byte[]> siteMaterials;
    private final KeyValueStore<Bytes, byte[]> sites;
    private final KeyValueStore<Bytes, byte[]> stock;

    /** The stores of {@code context}, which must have every store of {@link StoreNames#SITE_STORES}. */
    public SiteStores(ProcessorContext<?, ?> context) {
        descriptors = context.getStateStore(StoreNames.METER_DESCRIPTORS);
        clocks = context.getStateStore(StoreNames.METER_CLOCKS);
        held = context.getStateStore(StoreNames.HELD_READINGS);
        seqs = context.getStateStore(StoreNames.SEEN_SEQS);
        flows = context.getStateStore(StoreNames.FLOW_WINDOWS);
        kpis = context.getStateStore(StoreNames.KPI_WINDOWS);
        dirty = context.getStateStore(StoreNames.DIRTY_WINDOWS);
        siteMaterials = context.getStateStore(StoreNames.SITE_MATERIALS);
        sites = context.getStateStore(StoreNames.SITE_STATES);
        stock = context.getStateStore(StoreNames.STOCK_LEVELS);
    }

    /**
     * Deletes {@code key}: a put of null, which Kafka Streams' stores take as a delete. {@code KeyValueStore.delete} also
     * reads the old value back to return it, a RocksDB lookup per deleted entry that pruning (one held reading and one
     * seq per reading) does not need.
     */
    private static void forget(KeyValueStore<Bytes, byte[]> store, Bytes key) {
        store.put(key, null);
    }

    // ---- meters

    public MeterState meter(String site, String meter) {
        byte[] v = descriptors.get(key2(site, meter));
        if (v == null) {
            return null;
        }
        Bin.Reader r = Bin.Reader.value(v, StoreNames.METER_DESCRIPTORS);
        return new MeterState(new MeterDescriptor(r.str(), ROLES[r.u8()], KINDS[r.u8()], r.str(), r.str()));
    }

    void putMeter(String site, String meter, MeterState state) {
        MeterDescriptor d = state.descriptor();
        descriptors.put(key2(site, meter), Bin.Writer.value().str(d.material()).u8(d.role().ordinal()).u8(d.kind().ordinal())
                .str(d.unit()).str(d.to()).bytes());
    }

    void deleteMeter(String site, String meter) {
        forget(descriptors, key2(site, meter));
    }

    MeterClockState clock(String site, String material, Role role, String meter) {
        byte[] v = clocks.get(clockKey(site, material, role, meter));
        return v == null ? null : decodeClock(v);
    }

    void putClock(String site, String material, Role role, String meter, MeterClockState c) {
        clocks.put(clockKey(site, material, role, meter), Bin.Writer.value().optI64(c.clock()).f64(c.clockValue()).i64(c.lastSeenAt())
                .optI64(c.maxSeq()).optI64(c.chunk()).bytes());
    }

    void deleteClock(String site, String material, Role role, String meter) {
        forget(clocks, clockKey(site, material, role, meter));
    }

    /** The clocks of every meter of {@code site}, {@code material} and {@code role}, by meter id. */
    List<KeyValue<String, MeterClockState>> clocksOf(String site, String material, Role role) {
        Bytes prefix = Bytes.wrap(Bin.Writer.key().id(site).id(material).u8(role.ordinal()).bytes());
        List<KeyValue<String, MeterClockState>> out = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = clocks.prefixScan(prefix, PREFIX)) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                String meter = Bin.Reader.key(kv.key.get(), prefix.get().length).id();
                out.add(KeyValue.pair(meter, decodeClock(kv.value)));
            }
        }
        return out;
    }

    private static MeterClockState decodeClock(byte[] v) {
        Bin.Reader r = Bin.Reader.value(v, StoreNames.METER_CLOCKS);
        return new MeterClockState(r.optI64(), r.f64(), r.i64(), r.optI64(), r.optI64());
    }

    // ---- held readings (in chunks) and seen seqs (in 64-bit words)

    /**
     * Held readings per chunk at most. A chunk is a run of consecutive held readings of one meter, in ts order, stored
     * under the ts of its first; chunks never overlap. An in-order reading is appended to the meter's last chunk (its
     * clock keeps that chunk's key), so the record cache turns a commit interval's appends into one changelog record,
     * instead of one per reading, and pruning forgets a chunk with one delete. 32 keeps a chunk under 1 KB (26 bytes
     * per reading), so the copy an append makes stays small.
     */
    static final int CHUNK = 32;
    private static final int ENTRY = 25;
    private static final int HEAD = 2;

    /** The chunk of held readings with the greatest start at or before {@code ts}: its start and value, or null. */
    private KeyValue<Long, byte[]> floorChunk(String site, String meter, long ts) {
        return firstChunk(held.reverseRange(timeKey(site, meter, Long.MIN_VALUE), timeKey(site, meter, ts)));
    }

    /** The chunk with the least start after {@code ts}, or null. */
    private KeyValue<Long, byte[]> chunkAfter(String site, String meter, long ts) {
        if (ts == Long.MAX_VALUE) {
            return null;
        }
        return firstChunk(held.range(timeKey(site, meter, ts + 1), timeKey(site, meter, Long.MAX_VALUE)));
    }

    /** The first chunk {@code it} gives, start and value, or null; closes it. */
    private static KeyValue<Long, byte[]> firstChunk(KeyValueIterator<Bytes, byte[]> it) {
        try (it) {
            if (!it.hasNext()) {
                return null;
            }
            KeyValue<Bytes, byte[]> kv = it.next();
            return KeyValue.pair(timeOf(kv.key), kv.value);
        }
    }

    private static long timeOf(Bytes key) {
        byte[] k = key.get();
        return Bin.Reader.key(k, k.length - 8).ordered();
    }

    /** The number of held readings in a chunk value of {@code loopflow-held-readings} (for tests and size counts). */
    public static int readingsIn(byte[] chunk) {
        StateFormat.check(chunk, StoreNames.HELD_READINGS);
        return chunk[1] & 0xFF;
    }

    private static long tsAt(byte[] chunk, int i) {
        return Bin.Reader.key(chunk, HEAD + i * ENTRY).i64();
    }

    private static HeldReading readingAt(byte[] chunk, int i) {
        Bin.Reader r = Bin.Reader.key(chunk, HEAD + i * ENTRY);
        long ts = r.i64();
        double value = r.f64();
        boolean hasSeq = r.bool();
        long seq = r.i64();
        return new HeldReading(ts, value, hasSeq ? seq : null);
    }

    private static List<HeldReading> readings(byte[] chunk) {
        int n = readingsIn(chunk);
        List<HeldReading> out = new ArrayList<>(n + 1);
        for (int i = 0; i < n; i++) {
            out.add(readingAt(chunk, i));
        }
        return out;
    }

    private static byte[] chunkOf(List<HeldReading> readings) {
        Bin.Writer w = Bin.Writer.value().u8(readings.size());
        for (HeldReading h : readings) {
            entry(w, h);
        }
        return w.bytes();
    }

    /** One reading's entry alone, to splice into a chunk's bytes. */
    private static byte[] entryBytes(HeldReading h) {
        Bin.Writer w = Bin.Writer.key();
        entry(w, h);
        return w.bytes();
    }

    private static void entry(Bin.Writer w, HeldReading h) {
        w.i64(h.ts()).f64(h.value()).bool(h.seq() != null).i64(h.seq() == null ? 0 : h.seq());
    }

    /** The held reading of the meter at exactly {@code ts}, or null. */
    HeldReading held(String site, String meter, long ts) {
        KeyValue<Long, byte[]> c = floorChunk(site, meter, ts);
        if (c == null) {
            return null;
        }
        for (int i = readingsIn(c.value) - 1; i >= 0; i--) {
            long t = tsAt(c.value, i);
            if (t == ts) {
                return readingAt(c.value, i);
            }
            if (t < ts) {
                return null;
            }
        }
        return null;
    }

    /** The newest held reading of the meter before {@code ts}, or null: the last one before it in the chunk before it. */
    HeldReading heldBefore(String site, String meter, long ts) {
        if (ts == Long.MIN_VALUE) {
            return null;
        }
        KeyValue<Long, byte[]> c = floorChunk(site, meter, ts - 1);
        if (c == null) {
            return null;
        }
        for (int i = readingsIn(c.value) - 1; i >= 0; i--) {
            if (tsAt(c.value, i) < ts) {
                return readingAt(c.value, i);
            }
        }
        return null; // not reached: a chunk's first reading is its start, at or before ts - 1
    }

    /** The oldest held reading of the meter after {@code ts}, or null: in the chunk holding {@code ts}, else the next one's first. */
    HeldReading heldAfter(String site, String meter, long ts) {
        if (ts == Long.MAX_VALUE) {
            return null;
        }
        KeyValue<Long, byte[]> c = floorChunk(site, meter, ts);
        if (c != null) {
            int n = readingsIn(c.value);
            for (int i = 0; i < n; i++) {
                if (tsAt(c.value, i) > ts) {
                    return readingAt(c.value, i);
                }
            }
        }
        KeyValue<Long, byte[]> next = chunkAfter(site, meter, ts);
        return next == null ? null : readingAt(next.value, 0);
    }

    /**
     * Holds {@code h} (not held yet: its ts and seq were checked), and its seq in the meter's seq index. An in-order
     * reading ({@code clock} null or before it) is appended to the meter's last chunk, whose start {@code lastChunk} the
     * meter's clock keeps (null, or a chunk that no longer ends at {@code clock}: looked up); a full chunk starts a new
     * one. An out-of-order reading goes into the chunk before it, which splits in two when full; one that would end a
     * full chunk before it (or has none) goes at the front of the chunk after it while that has room, so that a gap
     * filled oldest first or newest first (a logger's backlog) fills whole chunks rather than one chunk per reading.
     *
     * @return the start of the chunk that now holds the meter's newest reading, for its clock; null when not known
     */
    Long putHeld(String site, String meter, HeldReading h, Long clock, Long lastChunk) {
        if (h.seq() != null) {
            addSeq(site, meter, h.seq());
        }
        long ts = h.ts();
        boolean inOrder = clock == null || ts > clock;
        KeyValue<Long, byte[]> c = null;
        if (inOrder && lastChunk != null) {
            byte[] v = held.get(timeKey(site, meter, lastChunk));
            if (v != null && clock != null && tsAt(v, readingsIn(v) - 1) == clock) {
                c = KeyValue.pair(lastChunk, v);
            }
        }
        if (c == null) {
            c = floorChunk(site, meter, ts);
        }
        if (c == null || (inOrder && readingsIn(c.value) >= CHUNK)) {
            if (!inOrder) {
                return putBeforeNext(site, meter, h, clock, lastChunk);
            }
            held.put(timeKey(site, meter, ts), chunkOf(List.of(h)));
            return ts;
        }
        if (inOrder) {
            // An append: the chunk's bytes, one entry more.
            byte[] v = c.value;
            byte[] e = entryBytes(h);
            byte[] appended = Arrays.copyOf(v, v.length + e.length);
            System.arraycopy(e, 0, appended, v.length, e.length);
            appended[1] = (byte) (readingsIn(v) + 1);
            held.put(timeKey(site, meter, c.key), appended);
            return c.key;
        }
        if (readingsIn(c.value) >= CHUNK && tsAt(c.value, CHUNK - 1) < ts) {
            // After every reading of a full chunk: a split would leave two half-full chunks for each one filled.
            return putBeforeNext(site, meter, h, clock, lastChunk);
        }
        List<HeldReading> rs = readings(c.value);
        int at = 0;
        while (at < rs.size() && rs.get(at).ts() < ts) {
            at++;
        }
        rs.add(at, h);
        boolean holdsNewest = clock != null && rs.get(rs.size() - 1).ts() == clock;
        if (rs.size() <= CHUNK) {
            held.put(timeKey(site, meter, c.key), chunkOf(rs));
            return holdsNewest ? c.key : lastChunk;
        }
        List<HeldReading> lower = rs.subList(0, rs.size() / 2);
        List<HeldReading> upper = rs.subList(rs.size() / 2, rs.size());
        held.put(timeKey(site, meter, c.key), chunkOf(lower));
        held.put(timeKey(site, meter, upper.get(0).ts()), chunkOf(upper));
        return holdsNewest ? Long.valueOf(upper.get(0).ts()) : lastChunk;
    }

    /**
     * Holds the out-of-order {@code h}, which no chunk before it can take, at the front of the chunk after it when that
     * has room (the chunk is then keyed by {@code h}'s ts: one delete and one put), else in a chunk of its own.
     *
     * @return the start of the chunk that now holds the meter's newest reading, as {@link #putHeld}
     */
    private Long putBeforeNext(String site, String meter, HeldReading h, Long clock, Long lastChunk) {
        long ts = h.ts();
        KeyValue<Long, byte[]> next = chunkAfter(site, meter, ts);
        if (next == null || readingsIn(next.value) >= CHUNK) {
            held.put(timeKey(site, meter, ts), chunkOf(List.of(h)));
            return lastChunk;
        }
        byte[] v = next.value;
        byte[] e = entryBytes(h);
        byte[] prepended = new byte[v.length + e.length];
        System.arraycopy(v, 0, prepended, 0, HEAD);
        System.arraycopy(e, 0, prepended, HEAD, e.length);
        System.arraycopy(v, HEAD, prepended, HEAD + e.length, v.length - HEAD);
        prepended[1] = (byte) (readingsIn(v) + 1);
        forget(held, timeKey(site, meter, next.key));
        held.put(timeKey(site, meter, ts), prepended);
        boolean holdsNewest = clock != null && tsAt(v, readingsIn(v) - 1) == clock;
        return holdsNewest ? Long.valueOf(ts) : lastChunk;
    }

    /**
     * Forgets the meter's held readings before {@code floor} except the newest of them (the predecessor of the next
     * reading that can still be accepted), with their seqs: the chunks wholly before it are deleted, the one it falls in
     * is written again from that newest reading on.
     *
     * @return the start of the chunk rewritten, which holds what is left of the chunks before {@code floor}; null if
     *     none was
     */
    Long pruneHeld(String site, String meter, long floor) {
        if (floor == Long.MIN_VALUE) {
            return null;
        }
        List<KeyValue<Long, byte[]>> before = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = held.range(timeKey(site, meter, Long.MIN_VALUE), timeKey(site, meter, floor - 1))) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                before.add(KeyValue.pair(timeOf(kv.key), kv.value));
            }
        }
        if (before.isEmpty()) {
            return null;
        }
        for (int i = 0; i < before.size() - 1; i++) {
            forgetSeqs(site, meter, readings(before.get(i).value));
            forget(held, timeKey(site, meter, before.get(i).key));
        }
        // The last chunk starting before the floor holds the newest reading before it: keep that one and those after it.
        KeyValue<Long, byte[]> last = before.get(before.size() - 1);
        List<HeldReading> rs = readings(last.value);
        int keep = 0;
        while (keep + 1 < rs.size() && rs.get(keep + 1).ts() < floor) {
            keep++;
        }
        if (keep == 0) {
            return null;
        }
        forgetSeqs(site, meter, rs.subList(0, keep));
        forget(held, timeKey(site, meter, last.key));
        List<HeldReading> left = rs.subList(keep, rs.size());
        held.put(timeKey(site, meter, left.get(0).ts()), chunkOf(left));
        return left.get(0).ts();
    }

    /** Forgets every held reading and seq of the meter (a new crediting history, or the meter is gone). */
    void clearHeld(String site, String meter) {
        Bytes prefix = Bytes.wrap(key2(site, meter).get());
        for (KeyValueStore<Bytes, byte[]> store : List.of(held, seqs)) {
            List<Bytes> keys = new ArrayList<>();
            try (KeyValueIterator<Bytes, byte[]> it = store.prefixScan(prefix, PREFIX)) {
                while (it.hasNext()) {
                    keys.add(it.next().key);
                }
            }
            keys.forEach(k -> forget(store, k));
        }
    }

    // A meter's seqs are kept as set bits of 64-bit words, keyed by seq / 64: consecutive seqs, the usual case, share a
    // word, which the record cache rewrites in place.

    /** The number of seqs in a value of {@code loopflow-seen-seqs} (for tests and size counts). */
    public static int seqsIn(byte[] word) {
        return Long.bitCount(Bin.Reader.value(word, StoreNames.SEEN_SEQS).i64());
    }

    private long seqWord(Bytes key) {
        byte[] v = seqs.get(key);
        return v == null ? 0 : Bin.Reader.value(v, StoreNames.SEEN_SEQS).i64();
    }

    private void addSeq(String site, String meter, long seq) {
        Bytes key = timeKey(site, meter, Math.floorDiv(seq, 64));
        seqs.put(key, Bin.Writer.value().i64(seqWord(key) | 1L << Math.floorMod(seq, 64)).bytes());
    }

    private void forgetSeqs(String site, String meter, List<HeldReading> readings) {
        for (HeldReading h : readings) {
            if (h.seq() != null) {
                Bytes key = timeKey(site, meter, Math.floorDiv(h.seq(), 64));
                long word = seqWord(key) & ~(1L << Math.floorMod(h.seq(), 64));
                if (word == 0) {
                    forget(seqs, key);
                } else {
                    seqs.put(key, Bin.Writer.value().i64(word).bytes());
                }
            }
        }
    }

    /** The highest seq in the meter's index, or {@link Long#MIN_VALUE} when it has none (one reverse lookup). */
    long maxSeq(String site, String meter) {
        try (KeyValueIterator<Bytes, byte[]> it = seqs.reverseRange(timeKey(site, meter, Long.MIN_VALUE), timeKey(site, meter, Long.MAX_VALUE))) {
            if (!it.hasNext()) {
                return Long.MIN_VALUE;
            }
            KeyValue<Bytes, byte[]> kv = it.next();
            long word = Bin.Reader.value(kv.value, StoreNames.SEEN_SEQS).i64();
            return timeOf(kv.key) * 64 + 63 - Long.numberOfLeadingZeros(word);
        }
    }

    /** True when a held reading of the meter has this {@code seq}. */
    boolean seqSeen(String site, String meter, long seq) {
        return (seqWord(timeKey(site, meter, Math.floorDiv(seq, 64))) & 1L << Math.floorMod(seq, 64)) != 0;
    }

    // ---- windows

    FlowWindowState flow(String site, String material, Role role, long start) {
        byte[] v = flows.get(flowKey(site, material, role, start));
        return v == null ? null : decodeFlow(v);
    }

    void putFlow(FlowWindowState w) {
        Bytes key = flowKey(w.site(), w.material(), w.role(), w.start());
        flows.put(key, Bin.Writer.value().str(w.site()).str(w.material()).u8(w.role().ordinal()).i64(w.start()).i64(w.end())
                .f64(w.quantity()).str(w.unit()).i64(w.readings()).bool(w.dirty()).bool(w.closed()).i32(w.revision()).bytes());
    }

    void deleteFlow(FlowWindowState w) {
        forget(flows, flowKey(w.site(), w.material(), w.role(), w.start()));
    }

    /** The flow windows (open or closed) of {@code role} starting in {@code [fromStart, toStart]}, oldest first. */
    List<FlowWindowState> flowsStarting(String site, String material, Role role, long fromStart, long toStart) {
        List<FlowWindowState> out = new ArrayList<>();
        if (fromStart > toStart) {
            return out;
        }
        try (KeyValueIterator<Bytes, byte[]> it = flows.range(flowKey(site, material, role, fromStart), flowKey(site, material, role, toStart))) {
            while (it.hasNext()) {
                out.add(decodeFlow(it.next().value));
            }
        }
        return out;
    }

    private static FlowWindowState decodeFlow(byte[] v) {
        Bin.Reader r = Bin.Reader.value(v, StoreNames.FLOW_WINDOWS);
        return new FlowWindowState(r.str(), r.str(), ROLES[r.u8()], r.i64(), r.i64(), r.f64(), r.str(), r.i64(), r.bool(), r.bool(), r.i32());
    }

    KpiWindowState kpi(String site, String material, long code, long start) {
        byte[] v = kpis.get(kpiKey(site, material, code, start));
        return v == null ? null : decodeKpi(v);
    }

    void putKpi(KpiWindowState w) {
        Bin.Writer b = Bin.Writer.value().str(w.site()).str(w.material()).i64(w.code()).i64(w.start()).i64(w.end());
        RoleSums s = w.sums();
        b.f64(s.inVirgin()).f64(s.inSecondary()).f64(s.outProduct()).f64(s.outReuse()).f64(s.outRecovery()).f64(s.outDisposal())
                .f64(s.outStorage());
        kpis.put(kpiKey(w.site(), w.material(), w.code(), w.start()), b.str(w.unit()).bool(w.dirty()).bool(w.closed()).i32(w.revision()).bytes());
    }

    void deleteKpi(KpiWindowState w) {
        forget(kpis, kpiKey(w.site(), w.material(), w.code(), w.start()));
    }

    /** The key-figure windows (open or closed) of window {@code code} starting in {@code [fromStart, toStart]}, oldest first. */
    List<KpiWindowState> kpisStarting(String site, String material, long code, long fromStart, long toStart) {
        List<KpiWindowState> out = new ArrayList<>();
        if (fromStart > toStart) {
            return out;
        }
        try (KeyValueIterator<Bytes, byte[]> it = kpis.range(kpiKey(site, material, code, fromStart), kpiKey(site, material, code, toStart))) {
            while (it.hasNext()) {
                out.add(decodeKpi(it.next().value));
            }
        }
        return out;
    }

    private static KpiWindowState decodeKpi(byte[] v) {
        Bin.Reader r = Bin.Reader.value(v, StoreNames.KPI_WINDOWS);
        String site = r.str();
        String material = r.str();
        long code = r.i64();
        long start = r.i64();
        long end = r.i64();
        RoleSums sums = new RoleSums(r.f64(), r.f64(), r.f64(), r.f64(), r.f64(), r.f64(), r.f64());
        return new KpiWindowState(site, material, code, start, end, sums, r.str(), r.bool(), r.bool(), r.i32());
    }

    // ---- windows changed since the last punctuation

    void markDirty(FlowWindowState w) {
        dirty.put(dirtyKey(DIRTY_FLOW, flowKey(w.site(), w.material(), w.role(), w.start())), MARKER);
    }

    void markKpiDirty(String site, String material, long code, long start) {
        dirty.put(dirtyKey(DIRTY_KPI, kpiKey(site, material, code, start)), MARKER);
    }

    /** The flow windows changed since the last punctuation, and the key-figure windows; forgets the marks. */
    Dirty takeDirty() {
        List<Bytes> keys = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = dirty.all()) {
            while (it.hasNext()) {
                keys.add(it.next().key);
            }
        }
        List<FlowWindowState> f = new ArrayList<>();
        List<KpiKey> k = new ArrayList<>();
        for (Bytes key : keys) {
            forget(dirty, key);
            byte[] bytes = key.get();
            if (bytes[0] == DIRTY_FLOW) {
                byte[] v = flows.get(Bytes.wrap(Arrays.copyOfRange(bytes, 1, bytes.length)));
                if (v != null) {
                    f.add(decodeFlow(v));
                }
            } else {
                Bin.Reader r = Bin.Reader.key(bytes, 1);
                k.add(new KpiKey(r.id(), r.id(), r.ordered(), r.ordered()));
            }
        }
        return new Dirty(f, k);
    }

    /** A key-figure window: site, material, window code and start (ms). */
    record KpiKey(String site, String material, long code, long start) {
    }

    /** Windows changed since the last punctuation. */
    record Dirty(List<FlowWindowState> flows, List<KpiKey> kpis) {
    }

    private static Bytes dirtyKey(byte kind, Bytes windowKey) {
        byte[] w = windowKey.get();
        byte[] k = new byte[w.length + 1];
        k[0] = kind;
        System.arraycopy(w, 0, k, 1, w.length);
        return Bytes.wrap(k);
    }

    // ---- site and material progress

    SiteMaterialState siteMaterial(String site, String material) {
        byte[] v = siteMaterials.get(key2(site, material));
        return v == null ? new SiteMaterialState() : decodeSiteMaterial(v);
    }

    void putSiteMaterial(String site, String material, SiteMaterialState s) {
        Bin.Writer b = Bin.Writer.value();
        long[] flow = s.floors.flowByRole();
        for (int r = 0; r < SiteMaterialState.ROLES; r++) {
            b.i64(flow[r]);
        }
        long[] codes = s.floors.kpiCodes();
        long[] floors = s.floors.kpiFloors();
        b.u8(codes.length);
        for (int i = 0; i < codes.length; i++) {
            b.i64(codes[i]).i64(floors[i]);
        }
        for (int r = 0; r < SiteMaterialState.ROLES; r++) {
            b.i64(s.frontier[r]).i32(s.atFrontier[r]).i32(s.meters[r]).i64(s.nextCheck[r]).i64(s.openUntil[r]).i64(s.prunedTo[r]);
        }
        b.str(s.unit).i64(s.windowsPrunedTo).bool(s.sent).str(s.sentRegion).i64(s.sentFrontier);
        byte[] bytes = b.bytes();
        if (!Arrays.equals(bytes, s.stored)) {
            siteMaterials.put(key2(site, material), bytes);
            s.stored = bytes;
        }
    }

    /** Every site and material this task has state for: site, material. */
    List<KeyValue<String, String>> allSiteMaterials() {
        List<KeyValue<String, String>> out = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = siteMaterials.all()) {
            while (it.hasNext()) {
                Bin.Reader r = Bin.Reader.key(it.next().key.get(), 0);
                out.add(KeyValue.pair(r.id(), r.id()));
            }
        }
        return out;
    }

    private static SiteMaterialState decodeSiteMaterial(byte[] v) {
        Bin.Reader r = Bin.Reader.value(v, StoreNames.SITE_MATERIALS);
        SiteMaterialState s = new SiteMaterialState();
        long[] flow = new long[ROLES.length];
        java.util.Arrays.fill(flow, Long.MIN_VALUE);
        for (int i = 0; i < SiteMaterialState.ROLES; i++) {
            flow[i] = r.i64();
        }
        int nk = r.u8();
        long[] codes = new long[nk];
        long[] floors = new long[nk];
        for (int i = 0; i < nk; i++) {
            codes[i] = r.i64();
            floors[i] = r.i64();
        }
        s.floors = ClosedUntil.of(flow, codes, floors);
        for (int i = 0; i < SiteMaterialState.ROLES; i++) {
            s.frontier[i] = r.i64();
            s.atFrontier[i] = r.i32();
            s.meters[i] = r.i32();
            s.nextCheck[i] = r.i64();
            s.openUntil[i] = r.i64();
            s.prunedTo[i] = r.i64();
        }
        s.unit = r.str();
        s.windowsPrunedTo = r.i64();
        s.sent = r.bool();
        s.sentRegion = r.str();
        s.sentFrontier = r.i64();
        s.stored = v;
        return s;
    }

    // ---- sites and stock levels

    SiteState site(String site) {
        byte[] v = sites.get(key1(site));
        if (v == null) {
            return SiteState.NEW;
        }
        Bin.Reader r = Bin.Reader.value(v, StoreNames.SITE_STATES);
        SiteDescriptor d = null;
        if (r.bool()) {
            String name = r.str();
            String region = r.str();
            d = r.bool() ? new SiteDescriptor(name, region, r.f64(), r.f64()) : new SiteDescriptor(name, region, null, null);
        }
        return new SiteState(d, r.i64(), r.i64());
    }

    void putSite(String site, SiteState s) {
        Bin.Writer b = Bin.Writer.value();
        SiteDescriptor d = s.descriptor();
        b.bool(d != null);
        if (d != null) {
            b.str(storedName(d.name())).str(d.region()).bool(d.hasCoordinates());
            if (d.hasCoordinates()) {
                b.f64(d.lat()).f64(d.lon());
            }
        }
        sites.put(key1(site), b.i64(s.newestClock()).i64(s.newestClosedEnd()).bytes());
    }

    /**
     * The site's name as kept here, at most {@link #STORED_NAME_CHARS} characters: the processor reads only the region, and
     * a name the gateway refuses (on {@code loopflow.sites} from another writer, or from a gateway before its limit) could
     * otherwise pass a store string's 64 KiB and stop the application at every start.
     */
    static String storedName(String name) {
        return name == null || name.length() <= STORED_NAME_CHARS ? name : name.substring(0, STORED_NAME_CHARS);
    }

    static final int STORED_NAME_CHARS = 1_000;

    StockLevel stock(String site, String meter) {
        byte[] v = stock.get(key2(site, meter));
        return v == null ? null : decodeStock(v);
    }

    /** Decodes a value of {@code loopflow-stock-levels} (for tests and queries). */
    public static StockLevel decodeStock(byte[] v) {
        Bin.Reader r = Bin.Reader.value(v, StoreNames.STOCK_LEVELS);
        return new StockLevel(r.str(), r.str(), r.str(), r.i64(), r.f64(), r.str());
    }

    void putStock(StockLevel s) {
        stock.put(key2(s.site(), s.meter()), Bin.Writer.value().str(s.site()).str(s.meter()).str(s.material()).i64(s.ts()).f64(s.value())
                .str(s.unit()).bytes());
    }

    void deleteStock(String site, String meter) {
        forget(stock, key2(site, meter));
    }

    // ---- keys

    /** The key of one site. */
    public static Bytes key1(String a) {
        return Bytes.wrap(Bin.Writer.key().id(a).bytes());
    }

    /** The key of a site and meter, or of a site and material. */
    public static Bytes key2(String a, String b) {
        return Bytes.wrap(Bin.Writer.key().id(a).id(b).bytes());
    }

    private static Bytes clockKey(String site, String material, Role role, String meter) {
        return Bytes.wrap(Bin.Writer.key().id(site).id(material).u8(role.ordinal()).id(meter).bytes());
    }

    private static Bytes timeKey(String site, String meter, long t) {
        return Bytes.wrap(Bin.Writer.key().id(site).id(meter).ordered(t).bytes());
    }

    private static Bytes flowKey(String site, String material, Role role, long start) {
        return Bytes.wrap(Bin.Writer.key().id(site).id(material).u8(role.ordinal()).ordered(start).bytes());
    }

    private static Bytes kpiKey(String site, String material, long code, long start) {
        return Bytes.wrap(Bin.Writer.key().id(site).id(material).ordered(code).ordered(start).bytes());
    }
}
