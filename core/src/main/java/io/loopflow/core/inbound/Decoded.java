package io.loopflow.core.inbound;

import io.loopflow.core.Topic;
import io.loopflow.core.model.ReadingRecord;
import io.loopflow.core.model.Rejection;
import java.util.List;

/**
 * What one MQTT message decodes to: the accepted readings, the rejections (one per bad reading, or
 * one for the whole message), and for a descriptor topic the change to write to its compacted
 * topic. Every element of an array is either accepted or rejected: nothing is left out.
 */
public record Decoded(List<ReadingRecord> readings, List<Rejection> rejections, DescriptorChange descriptor) {

    /**
     * A descriptor to write to {@code topic} under {@code key}; a null {@code value} is a tombstone
     * (an empty retained payload deletes the descriptor).
     */
    public record DescriptorChange(Topic<String, Object> topic, String key, Object value) {
    }

    static Decoded rejected(Rejection rejection) {
        return new Decoded(List.of(), List.of(rejection), null);
    }
}
