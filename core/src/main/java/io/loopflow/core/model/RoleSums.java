package io.loopflow.core.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The seven flow-role sums of one site or region, material and window, in canonical units, and
 * the key figures of CONTRACT.md section 5 computed from them. Region figures are built by
 * {@link #plus}, so a region rate is a ratio of sums, never a mean of site rates.
 */
public record RoleSums(
        @JsonProperty("in.virgin") double inVirgin,
        @JsonProperty("in.secondary") double inSecondary,
        @JsonProperty("out.product") double outProduct,
        @JsonProperty("out.reuse") double outReuse,
        @JsonProperty("out.recovery") double outRecovery,
        @JsonProperty("out.disposal") double outDisposal,
        @JsonProperty("out.storage") double outStorage) {

    public static final RoleSums ZERO = new RoleSums(0, 0, 0, 0, 0, 0, 0);

    /** These sums with {@code quantity} added to {@code role}; {@code stock} is not a flow and is refused. */
    public RoleSums plus(Role role, double quantity) {
        return switch (role) {
            case IN_VIRGIN -> new RoleSums(inVirgin + quantity, inSecondary, outProduct, outReuse, outRecovery, outDisposal, outStorage);
            case IN_SECONDARY -> new RoleSums(inVirgin, inSecondary + quantity, outProduct, outReuse, outRecovery, outDisposal, outStorage);
            case OUT_PRODUCT -> new RoleSums(inVirgin, inSecondary, outProduct + quantity, outReuse, outRecovery, outDisposal, outStorage);
            case OUT_REUSE -> new RoleSums(inVirgin, inSecondary, outProduct, outReuse + quantity, outRecovery, outDisposal, outStorage);
            case OUT_RECOVERY -> new RoleSums(inVirgin, inSecondary, outProduct, outReuse, outRecovery + quantity, outDisposal, outStorage);
            case OUT_DISPOSAL -> new RoleSums(inVirgin, inSecondary, outProduct, outReuse, outRecovery, outDisposal + quantity, outStorage);
            case OUT_STORAGE -> new RoleSums(inVirgin, inSecondary, outProduct, outReuse, outRecovery, outDisposal, outStorage + quantity);
            case STOCK -> throw new IllegalArgumentException("stock is a level, not a flow");
        };
    }

    /** The role-by-role sum of these sums and {@code other}. */
    public RoleSums plus(RoleSums other) {
        return new RoleSums(inVirgin + other.inVirgin, inSecondary + other.inSecondary, outProduct + other.outProduct,
                outReuse + other.outReuse, outRecovery + other.outRecovery, outDisposal + other.outDisposal,
                outStorage + other.outStorage);
    }

    /** The sum for {@code role}. */
    public double get(Role role) {
        return switch (role) {
            case IN_VIRGIN -> inVirgin;
            case IN_SECONDARY -> inSecondary;
            case OUT_PRODUCT -> outProduct;
            case OUT_REUSE -> outReuse;
            case OUT_RECOVERY -> outRecovery;
            case OUT_DISPOSAL -> outDisposal;
            case OUT_STORAGE -> outStorage;
            case STOCK -> throw new IllegalArgumentException("stock is a level, not a flow");
        };
    }

    /** R of section 5: residues generated. */
    @JsonIgnore
    public double residues() {
        return outReuse + outRecovery + outDisposal + outStorage;
    }

    /** {@code out.reuse / R}, null when R is 0. */
    public Double recyclingRate() {
        return ratio(outReuse, residues());
    }

    /** {@code out.disposal / R}, null when R is 0. */
    public Double landfillRate() {
        return ratio(outDisposal, residues());
    }

    /** {@code in.secondary / (in.virgin + in.secondary)}, null when that is 0. */
    public Double circularInputRate() {
        return ratio(inSecondary, inVirgin + inSecondary);
    }

    private static Double ratio(double numerator, double denominator) {
        return denominator == 0 ? null : numerator / denominator;
    }
}
