package io.loopflow.core.inbound;

/**
 * One reading whose site, meter and fields all arrive as text, as a row of a history import file
 * carries them (CONTRACT.md section 8): {@code ts}, {@code value}, and the optional {@code seq} and
 * {@code unit} (null or empty when the file has no such column or the cell is empty). Checked by
 * {@link InboundDecoder#reading(ReadingText, java.time.Instant, String)}.
 */
public record ReadingText(String site, String meter, String ts, String value, String seq, String unit) {
}
