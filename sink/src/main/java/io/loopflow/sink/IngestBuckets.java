package io.loopflow.sink;

import com.influxdb.client.write.Point;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts the records of one partition of {@code loopflow.readings} or {@code loopflow.rejected} in
 * 10-second buckets of their Kafka timestamp (the gateway's send time), for the pipeline-health
 * measurement {@code loopflow_ingest}.
 *
 * <p>Counts must not double on a replay, so the state is part of the committed offset: {@link #metadata()}
 * serialises the open buckets into the offset's metadata string and {@link #restore} rebuilds them, so a
 * sink that resumes from a committed offset continues the same counts and writes the same values at the
 * same timestamps. Buckets close deterministically, from the records alone: when a record of the partition
 * is 10 s past the bucket's end. A record older than every open bucket (gateways interleave a little) is
 * counted in the oldest open bucket rather than reopening a bucket whose total was already written.
 */
final class IngestBuckets {
    static final long BUCKET_MS = Duration.ofSeconds(10).toMillis();
    static final long GRACE_MS = Duration.ofSeconds(10).toMillis();
    static final String ACCEPTED = "accepted";
    static final String REJECTED = "rejected";
    /** Kafka refuses offset metadata over 4096 bytes by default (offset.metadata.max.bytes). */
    static final int METADATA_LIMIT = 3500;
    private static final String VERSION = "lf1";

    private final int partition;
    /** Buckets that start before this (epoch ms) are closed. */
    private long watermark = Long.MIN_VALUE;
    private long maxTimestamp = Long.MIN_VALUE;
    private final TreeMap<Long, TreeMap<String, Long>> open = new TreeMap<>();
    /** Buckets changed since the last {@link #drainPoints}, with their counts at that time (closed ones included). */
    private final TreeMap<Long, TreeMap<String, Long>> changed = new TreeMap<>();

    IngestBuckets(int partition) {
        this.partition = partition;
    }

    /** Counts one record; {@code key} is {@code accepted} or {@code rejected/<reason>}. */
    void add(long timestampMs, String key) {
        long bucket = Math.floorDiv(timestampMs, BUCKET_MS) * BUCKET_MS;
        if (bucket < watermark) {
            bucket = open.isEmpty() ? watermark : open.firstKey();
        }
        TreeMap<String, Long> counts = open.computeIfAbsent(bucket, b -> new TreeMap<>());
        counts.merge(key, 1L, Long::sum);
        changed.put(bucket, counts);
        maxTimestamp = Math.max(maxTimestamp, timestampMs);
        while (!open.isEmpty() && open.firstKey() + BUCKET_MS + GRACE_MS <= maxTimestamp) {
            close();
        }
    }

    /** Points for every bucket changed since the last call (provisional for open buckets, final for closed ones). */
    List<Point> drainPoints(PointMapper mapper) {
        List<Point> points = new ArrayList<>();
        for (Map.Entry<Long, TreeMap<String, Long>> bucket : changed.entrySet()) {
            Instant start = Instant.ofEpochMilli(bucket.getKey());
            for (Map.Entry<String, Long> count : bucket.getValue().entrySet()) {
                String key = count.getKey();
                boolean accepted = ACCEPTED.equals(key);
                String reason = accepted ? null : key.substring(REJECTED.length() + 1);
                points.add(mapper.ingest(accepted ? ACCEPTED : REJECTED, reason, partition, start, count.getValue()));
            }
        }
        changed.clear();
        return points;
    }

    /** The open state as offset metadata; closes the oldest buckets first if it would not fit. */
    String metadata() {
        String text = encode();
        while (text.length() > METADATA_LIMIT && !open.isEmpty()) {
            close();
            text = encode();
        }
        return text;
    }

    /** The state saved by {@link #metadata()} with a committed offset; empty or foreign metadata gives a fresh state. */
    static IngestBuckets restore(int partition, String metadata) {
        IngestBuckets b = new IngestBuckets(partition);
        if (metadata == null || !metadata.startsWith(VERSION + "|")) {
            return b;
        }
        String[] parts = metadata.split("\\|", -1);
        b.watermark = Long.parseLong(parts[1]);
        b.maxTimestamp = Long.parseLong(parts[2]);
        if (parts.length > 3 && !parts[3].isEmpty()) {
            for (String bucket : parts[3].split(";")) {
                int colon = bucket.indexOf(':');
                TreeMap<String, Long> counts = new TreeMap<>();
                for (String kv : bucket.substring(colon + 1).split(",")) {
                    int eq = kv.indexOf('=');
                    counts.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
                }
                b.open.put(Long.parseLong(bucket.substring(0, colon)), counts);
            }
        }
        return b;
    }

    int openBuckets() {
        return open.size();
    }

    private void close() {
        Map.Entry<Long, TreeMap<String, Long>> first = open.pollFirstEntry();
        changed.put(first.getKey(), first.getValue());
        watermark = Math.max(watermark, first.getKey() + BUCKET_MS);
    }

    private String encode() {
        StringBuilder sb = new StringBuilder(VERSION).append('|').append(watermark).append('|').append(maxTimestamp).append('|');
        boolean firstBucket = true;
        for (Map.Entry<Long, TreeMap<String, Long>> bucket : open.entrySet()) {
            if (!firstBucket) {
                sb.append(';');
            }
            firstBucket = false;
            sb.append(bucket.getKey()).append(':');
            boolean firstCount = true;
            for (Map.Entry<String, Long> count : bucket.getValue().entrySet()) {
                if (!firstCount) {
                    sb.append(',');
                }
                firstCount = false;
                sb.append(count.getKey()).append('=').append(count.getValue());
            }
        }
        return sb.toString();
    }
}
