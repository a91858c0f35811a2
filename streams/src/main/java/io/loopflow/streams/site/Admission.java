package io.loopflow.streams.site;

import io.loopflow.core.RejectReason;
import io.loopflow.core.model.MaterialDescriptor;
import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Role;
import io.loopflow.core.units.Dimension;
import io.loopflow.core.units.Unit;
import io.loopflow.streams.window.Windows;
import java.time.Instant;

/**
 * Whether the stream processor takes a reading (CONTRACT.md section 3), as pure checks in the
 * contract's order: {@code unknown_meter}, {@code unit_mismatch}, {@code duplicate},
 * {@code late}. The processor looks up the facts (descriptor, whether the seq or ts was seen, the
 * floor) and asks here; every rejection carries a detail a plant engineer can act on.
 */
public final class Admission {
    private Admission() {
    }

    /** Why a reading is not taken. */
    public record Rejected(RejectReason reason, String detail) {
    }

    /** A reading's value in the canonical unit of its meter's dimension, or why its unit does not fit. */
    public record Units(double canonicalValue, Dimension dimension, Rejected rejected) {
        public boolean ok() {
            return rejected == null;
        }
    }

    /** {@code unknown_meter}: no descriptor for the reading's meter. */
    public static Rejected unknownMeter(String site, String meter) {
        return new Rejected(RejectReason.UNKNOWN_METER, "no meter descriptor known for site '" + site + "' meter '" + meter
                + "': publish loopflow/v1/" + site + "/meters/" + meter + "/meta first");
    }

    /**
     * The reading's value in its dimension's canonical unit, or {@code unit_mismatch}: a unit that
     * is not a LoopFlow unit or does not convert to the meter's, or a meter whose dimension differs
     * from its material descriptor's ({@code material} null: no descriptor).
     */
    public static Units units(ReadingRecord r, MeterDescriptor meter, MaterialDescriptor material) {
        Unit meterUnit = meter.unitValue();
        Unit readingUnit = meterUnit;
        if (r.unit() != null) {
            readingUnit = Unit.ofSymbol(r.unit()).orElse(null);
            if (readingUnit == null) {
                return refused(RejectReason.UNIT_MISMATCH, "unit '" + r.unit() + "' is not a LoopFlow unit");
            }
            if (!readingUnit.convertibleTo(meterUnit)) {
                return refused(RejectReason.UNIT_MISMATCH, "unit '" + r.unit() + "' does not convert to the meter's unit '" + meterUnit + "'");
            }
        }
        Dimension dimension = meterUnit.dimension();
        if (material != null && material.dimension() != null && material.dimension() != dimension) {
            return refused(RejectReason.UNIT_MISMATCH, "meter unit '" + meterUnit + "' is " + dimension.wire() + " but material '"
                    + meter.material() + "' is " + material.dimension().wire());
        }
        return new Units(readingUnit.toCanonical(r.value()), dimension, null);
    }

    private static Units refused(RejectReason reason, String detail) {
        return new Units(Double.NaN, null, new Rejected(reason, detail));
    }

    /** What happens to a window-feeding meter's reading that passed the unit checks. */
    public enum Fate {
        /** Credited to open windows. */
        CREDIT,
        /** Credited to a closed flow window, which is published again (CONTRACT.md section 6, restatement). */
        RESTATE,
        /** Rejected: see the {@link Rejected}. */
        REJECT
    }

    /** The fate of a reading, with the rejection when it is {@link Fate#REJECT}ed. */
    public record Verdict(Fate fate, Rejected rejected) {
        static final Verdict CREDIT = new Verdict(Fate.CREDIT, null);
        static final Verdict RESTATE = new Verdict(Fate.RESTATE, null);

        static Verdict reject(RejectReason reason, String detail) {
            return new Verdict(Fate.REJECT, new Rejected(reason, detail));
        }
    }

    /**
     * {@code duplicate}, {@code late}, or where the reading is credited (CONTRACT.md sections 3 and 6).
     * A reading whose flow window has closed restates it when that changes no credit already given to
     * another reading of its meter: a {@code quantity} reading, or any reading newer than its meter's
     * clock; unless it is older than the horizon.
     *
     * @param clock        the meter's clock (newest accepted ts), null before its first reading
     * @param seqSeen      a held reading of the meter has the reading's {@code seq}
     * @param tsHeld       a held reading of the meter has the reading's {@code ts}
     * @param flowFloor    flow windows of the reading's site, material and role ending at or before this are closed
     * @param horizonFloor readings before this are older than {@code restate.horizon}
     */
    public static Verdict admit(ReadingRecord r, MeterKind kind, Long clock, boolean seqSeen, boolean tsHeld, String site, String material,
                                Role role, long flowFloor, long horizonFloor, long flowSizeMs) {
        if (seqSeen) {
            return Verdict.reject(RejectReason.DUPLICATE, "seq " + r.seq() + " was already accepted from this meter");
        }
        if (tsHeld) {
            return Verdict.reject(RejectReason.DUPLICATE, "a reading at " + r.ts() + " was already accepted from this meter");
        }
        long ts = r.ts().toEpochMilli();
        if (ts >= flowFloor) {
            return Verdict.CREDIT;
        }
        long start = Windows.startOf(ts, flowSizeMs);
        String window = "the flow window " + Instant.ofEpochMilli(start) + "/" + Instant.ofEpochMilli(start + flowSizeMs) + " of " + site + "/"
                + material + "/" + role.wire();
        if (ts < horizonFloor) {
            return Verdict.reject(RejectReason.LATE, "older than restate.horizon: " + window + " has closed and data before "
                    + Instant.ofEpochMilli(horizonFloor) + " no longer restates it");
        }
        if (kind == MeterKind.QUANTITY || clock == null || ts > clock) {
            return Verdict.RESTATE;
        }
        return Verdict.reject(RejectReason.LATE, "older than its meter's clock (" + Instant.ofEpochMilli(clock) + ") in a closed window: "
                + window + " has closed (closed until " + Instant.ofEpochMilli(flowFloor) + ") and a " + kind.wire()
                + " reading there would change credits already given");
    }

    /** {@code duplicate} for a level reading at the same {@code ts} as the meter's latest level. */
    public static Rejected duplicateLevel(ReadingRecord r) {
        return new Rejected(RejectReason.DUPLICATE, "a level at " + r.ts() + " was already accepted from this meter");
    }

    /** {@code unit_mismatch}: a material without descriptor counted at this site in another unit. */
    public static Rejected unitConflict(String material, String windowUnit, String unit) {
        return new Rejected(RejectReason.UNIT_MISMATCH, "material '" + material + "' is counted in " + windowUnit + " at this site, not " + unit);
    }
}
