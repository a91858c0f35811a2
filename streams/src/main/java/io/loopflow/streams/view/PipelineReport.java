package io.loopflow.streams.view;

import io.loopflow.core.model.Rejection;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The pipeline's health as the live page shows it: accepted readings (records on {@code loopflow.readings}) and
 * their rate, rejections per reason in the last hour and in everything the view keeps, the latest rejections
 * whole, the lag of LoopFlow's consumer groups, the embedded MQTT broker's dropped messages (null when no broker
 * runs in this process), and the state of the view itself.
 *
 * @param sampleError why the latest Kafka sample failed (the figures are then those of {@code sampledAt}); null when it worked
 */
public record PipelineReport(Instant at, long readingsAccepted, Double readingsPerSecond, List<ReasonCount> rejections,
                             List<Rejection> latestRejections, List<Lag> consumerLag, Long brokerDropped, Instant sampledAt,
                             String sampleError, ViewState view) {

    /** Rejections of one reason. */
    public record ReasonCount(String reason, long lastHour, long kept) {
    }

    /** The lag of a consumer group, in records, in all and per topic. */
    public record Lag(String group, long lag, Map<String, Long> byTopic) {
    }

    /** What the view holds: {@code keptSince} is the start of its look-back. */
    public record ViewState(boolean ready, int flowWindows, int kpiRecords, Instant keptSince, long undecodable) {
    }
}
