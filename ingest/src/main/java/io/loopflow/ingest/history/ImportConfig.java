package io.loopflow.ingest.history;

import io.loopflow.core.inbound.InboundDecoder;
import java.time.Duration;
import java.time.Instant;

/**
 * Settings of {@code loopflow import}, validated at construction; a bad value throws
 * {@link IllegalArgumentException} naming its flag.
 *
 * @param kafkaBootstrap {@code --kafka-bootstrap}: the Kafka that {@code loopflow local} or the stack runs
 * @param batchRows      {@code --batch-rows}: data rows per Kafka transaction (readings, rejections and the
 *                       ledger record together), default {@value #DEFAULT_BATCH_ROWS}; an interrupted import
 *                       repeats at most the batch it was in, which Kafka never made visible
 * @param maxRate        {@code --max-rate}: at most this many rows a second, 0 = as fast as Kafka takes them; so
 *                       that an import into a running deployment leaves room for the plants' live readings
 * @param maxFuture      {@code --max-future}: as the gateway's {@code ingest.max-future}
 * @param minTs          {@code --min-ts}: as the gateway's {@code ingest.min-ts}
 * @param kafkaTimeout   {@code --kafka-timeout}: how long Kafka may take to answer (at start, a commit, a full
 *                       send buffer) before the import stops with a message; what it committed stays done
 */
public record ImportConfig(String kafkaBootstrap, int batchRows, double maxRate, Duration maxFuture, Instant minTs, Duration kafkaTimeout) {
    public static final String DEFAULT_KAFKA_BOOTSTRAP = "127.0.0.1:9092";
    public static final int DEFAULT_BATCH_ROWS = 20_000;
    public static final Duration DEFAULT_KAFKA_TIMEOUT = Duration.ofSeconds(30);
    /** A batch is committed after this long even when it has fewer rows, so that a slow import shows and keeps its progress. */
    public static final Duration MAX_BATCH_AGE = Duration.ofSeconds(2);

    public ImportConfig {
        if (kafkaBootstrap == null || kafkaBootstrap.isBlank()) {
            throw new IllegalArgumentException("--kafka-bootstrap must be set (host:port of the Kafka LoopFlow uses)");
        }
        if (batchRows < 1) {
            throw new IllegalArgumentException("--batch-rows must be at least 1, got " + batchRows);
        }
        if (!(maxRate >= 0) || Double.isInfinite(maxRate)) {
            throw new IllegalArgumentException("--max-rate must be 0 (no limit) or a positive number of rows a second, got " + maxRate);
        }
        if (maxFuture == null || maxFuture.isNegative()) {
            throw new IllegalArgumentException("--max-future must be a non-negative duration, got " + maxFuture);
        }
        if (minTs == null) {
            throw new IllegalArgumentException("--min-ts must be set");
        }
        if (kafkaTimeout == null || kafkaTimeout.toMillis() < 1 || kafkaTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--kafka-timeout must be a positive duration, got " + kafkaTimeout);
        }
    }

    /** The defaults against {@code kafkaBootstrap}. */
    public static ImportConfig defaults(String kafkaBootstrap) {
        return new ImportConfig(kafkaBootstrap, DEFAULT_BATCH_ROWS, 0, InboundDecoder.DEFAULT_MAX_FUTURE, InboundDecoder.DEFAULT_MIN_TS,
                DEFAULT_KAFKA_TIMEOUT);
    }

    public ImportConfig withBatchRows(int v) {
        return new ImportConfig(kafkaBootstrap, v, maxRate, maxFuture, minTs, kafkaTimeout);
    }

    public ImportConfig withMaxRate(double v) {
        return new ImportConfig(kafkaBootstrap, batchRows, v, maxFuture, minTs, kafkaTimeout);
    }

    public ImportConfig withKafkaTimeout(Duration v) {
        return new ImportConfig(kafkaBootstrap, batchRows, maxRate, maxFuture, minTs, v);
    }

    /** The gateway's decoder with these {@code --max-future} and {@code --min-ts}. */
    InboundDecoder decoder() {
        return new InboundDecoder(maxFuture, minTs);
    }
}
