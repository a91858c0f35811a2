package io.loopflow.streams.window;

import io.loopflow.core.model.Role;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * How far the windows of one site and material have closed: every flow window of role {@code r}
 * ending at or before {@link #flowFloor} and every key-figure window of kind {@code c}
 * ({@code KpiWindow.code()}) ending at or before {@code kpiFloor(c)} is closed. A reading whose
 * {@code ts} is before its role's flow floor is late data (restated or {@code late}).
 *
 * <p>Closing a key-figure window closes the flow windows it holds (the flow floor of every role is
 * at least every key-figure floor), so a reading at or after its flow floor always lands in open
 * windows of every kind. Epoch ms; absent means nothing closed yet. Immutable; kept as arrays (it is
 * read for every reading).
 */
public final class ClosedUntil {
    private static final Role[] ROLES = Role.values();
    private static final long NONE = Long.MIN_VALUE;

    public static final ClosedUntil NOTHING = new ClosedUntil(filled(), new long[0], new long[0]);

    /** By role ordinal; {@code NONE} where the role has no floor of its own. */
    private final long[] flow;
    /** Key-figure window codes, ascending, and their floors. */
    private final long[] codes;
    private final long[] kpiFloors;
    private final long highestKpiFloor;

    private ClosedUntil(long[] flow, long[] codes, long[] kpiFloors) {
        this.flow = flow;
        this.codes = codes;
        this.kpiFloors = kpiFloors;
        long highest = NONE;
        for (long k : kpiFloors) {
            highest = Math.max(highest, k);
        }
        this.highestKpiFloor = highest;
    }

    /**
     * @param flow by role wire name
     * @param kpi  by key-figure window code
     */
    public ClosedUntil(Map<String, Long> flow, Map<Long, Long> kpi) {
        this(flowArray(flow), codes(kpi), floors(kpi));
    }

    /** From the stored form: floors by role ordinal ({@code Long.MIN_VALUE}: none) and parallel arrays of codes and floors. */
    public static ClosedUntil of(long[] flowByRole, long[] codes, long[] kpiFloors) {
        for (int i = 1; i < codes.length; i++) {
            if (codes[i - 1] >= codes[i]) {
                Map<Long, Long> kpi = new TreeMap<>();
                for (int j = 0; j < codes.length; j++) {
                    kpi.put(codes[j], kpiFloors[j]);
                }
                return new ClosedUntil(Arrays.copyOf(flowByRole, ROLES.length), codes(kpi), floors(kpi));
            }
        }
        return new ClosedUntil(Arrays.copyOf(flowByRole, ROLES.length), codes.clone(), kpiFloors.clone());
    }

    private static long[] filled() {
        long[] a = new long[ROLES.length];
        Arrays.fill(a, NONE);
        return a;
    }

    private static long[] flowArray(Map<String, Long> flow) {
        long[] a = filled();
        flow.forEach((role, floor) -> a[Role.ofWire(role).ordinal()] = floor);
        return a;
    }

    private static long[] codes(Map<Long, Long> kpi) {
        return new TreeMap<>(kpi).keySet().stream().mapToLong(Long::longValue).toArray();
    }

    private static long[] floors(Map<Long, Long> kpi) {
        return new TreeMap<>(kpi).values().stream().mapToLong(Long::longValue).toArray();
    }

    /** Flow windows of {@code role} ending at or before this are closed; {@code Long.MIN_VALUE} when none. */
    public long flowFloor(Role role) {
        return Math.max(flow[role.ordinal()], highestKpiFloor);
    }

    /** Key-figure windows of kind {@code code} ending at or before this are closed; {@code Long.MIN_VALUE} when none. */
    public long kpiFloor(long code) {
        int i = Arrays.binarySearch(codes, code);
        return i < 0 ? NONE : kpiFloors[i];
    }

    /** The role's own flow floor (without the key-figure floors), {@code Long.MIN_VALUE} when none. */
    public long ownFlowFloor(Role role) {
        return flow[role.ordinal()];
    }

    /** The flow floors of their own, by role ordinal ({@code Long.MIN_VALUE}: none). */
    public long[] flowByRole() {
        return flow.clone();
    }

    /** The key-figure window codes that have a floor, ascending. */
    public long[] kpiCodes() {
        return codes.clone();
    }

    /** The floors of {@link #kpiCodes()}, in the same order. */
    public long[] kpiFloors() {
        return kpiFloors.clone();
    }

    /** The flow floors of their own, by role wire name. */
    public Map<String, Long> flow() {
        Map<String, Long> m = new HashMap<>();
        for (int r = 0; r < flow.length; r++) {
            if (flow[r] != NONE) {
                m.put(ROLES[r].wire(), flow[r]);
            }
        }
        return m;
    }

    /** The key-figure floors by window code. */
    public Map<Long, Long> kpi() {
        Map<Long, Long> m = new HashMap<>();
        for (int i = 0; i < codes.length; i++) {
            m.put(codes[i], kpiFloors[i]);
        }
        return m;
    }

    ClosedUntil with(Map<String, Long> newFlow, Map<Long, Long> newKpi) {
        long[] f = flow.clone();
        newFlow.forEach((role, floor) -> f[Role.ofWire(role).ordinal()] = floor);
        Map<Long, Long> k = kpi();
        k.putAll(newKpi);
        return new ClosedUntil(f, codes(k), floors(k));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClosedUntil c && Arrays.equals(flow, c.flow) && Arrays.equals(codes, c.codes) && Arrays.equals(kpiFloors, c.kpiFloors);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(flow) + Arrays.hashCode(codes)) + Arrays.hashCode(kpiFloors);
    }

    @Override
    public String toString() {
        return "ClosedUntil[flow=" + flow() + ", kpi=" + kpi() + "]";
    }
}
