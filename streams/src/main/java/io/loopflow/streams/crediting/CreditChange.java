package io.loopflow.streams.crediting;

/**
 * A change to the quantity credited to the window holding {@code ts}: {@code delta} to add, and
 * whether it is the credit of a newly accepted reading (which also counts one more reading there)
 * or a correction of an already held reading's credit.
 */
public record CreditChange(long ts, double delta, boolean newReading) {
}
