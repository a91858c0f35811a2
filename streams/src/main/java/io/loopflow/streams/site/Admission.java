package io.loopflow.streams.site;

import io.loopflow.core.RejectReason;
import io.loopflow.core.model.MaterialDescriptor;
import io.loopflow.core.model.MeterDescriptor;
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

    /**
     * {@code duplicate} or {@code late} for a window-feeding meter's reading, or null to take it.
     *
     * @param seqSeen    a held reading of the meter has the reading's {@code seq}
     * @param tsHeld     a held reading of the meter has the reading's {@code ts}
     * @param flowFloor  flow windows of the reading's site, material and role ending at or before this are closed
     */
    public static Rejected duplicateOrLate(ReadingRecord r, boolean seqSeen, boolean tsHeld, String site, String material, Role role,
                                           long flowFloor, long flowSizeMs) {
        if (seqSeen) {
            return new Rejected(RejectReason.DUPLICATE, "seq " + r.seq() + " was already accepted from this meter");
        }
        if (tsHeld) {
            return new Rejected(RejectReason.DUPLICATE, "a reading at " + r.ts() + " was already accepted from this meter");
        }
        long ts = r.ts().toEpochMilli();
        if (ts < flowFloor) {
            long start = Windows.startOf(ts, flowSizeMs);
            return new Rejected(RejectReason.LATE, "the flow window " + Instant.ofEpochMilli(start) + "/" + Instant.ofEpochMilli(start + flowSizeMs)
                    + " of " + site + "/" + material + "/" + role.wire() + " has closed (closed until " + Instant.ofEpochMilli(flowFloor) + ")");
        }
        return null;
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
