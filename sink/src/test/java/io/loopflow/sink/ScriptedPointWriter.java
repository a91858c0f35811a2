package io.loopflow.sink;

import com.influxdb.client.write.Point;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link PointWriter} for unit tests of the write path: each attempt takes the next scripted {@link Answer}
 * (the last one repeats) and is recorded; an acknowledged batch is kept as line protocol, the server's "contents".
 */
final class ScriptedPointWriter implements PointWriter {

    /** What the server does with one write request. */
    @FunctionalInterface
    interface Answer {
        /** Throws to refuse or fail the request; returns to acknowledge it. */
        void answer(List<Point> points) throws WriteException;
    }

    static final Answer ACKNOWLEDGE = points -> { };

    static Answer outage(String message) {
        return points -> {
            throw new WriteException("InfluxDB write failed: " + message, true, null);
        };
    }

    /** HTTP 400 for any batch holding a point whose line protocol contains {@code marker}, else acknowledged. */
    static Answer refusing(String marker) {
        return points -> {
            if (points.stream().anyMatch(p -> p.toLineProtocol().contains(marker))) {
                throw new WriteException("InfluxDB write failed (HTTP 400): field type conflict", false, null);
            }
        };
    }

    private final Deque<Answer> script = new ArrayDeque<>();
    private final List<List<String>> attempts = new CopyOnWriteArrayList<>();
    private final List<String> stored = new CopyOnWriteArrayList<>();
    private Runnable onAttempt = () -> { };
    private boolean closed;

    ScriptedPointWriter(Answer... answers) {
        script.addAll(List.of(answers));
    }

    /** Runs before every attempt (a test checks what was committed so far, or moves its clock). */
    ScriptedPointWriter onAttempt(Runnable action) {
        this.onAttempt = action;
        return this;
    }

    @Override
    public void write(List<Point> points) throws WriteException {
        onAttempt.run();
        List<String> lines = points.stream().map(Point::toLineProtocol).toList();
        attempts.add(lines);
        Answer answer = script.size() > 1 ? script.poll() : script.peek();
        answer.answer(points);
        stored.addAll(lines);
    }

    /** Every request, as the line protocol of its points. */
    List<List<String>> attempts() {
        return attempts;
    }

    /** The points the server acknowledged, in order. */
    List<String> stored() {
        return new ArrayList<>(stored);
    }

    boolean closed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
    }
}
