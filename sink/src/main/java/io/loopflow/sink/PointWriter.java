package io.loopflow.sink;

import com.influxdb.client.write.Point;
import java.util.List;

/** Writes one batch of points and returns only once the server acknowledged all of them. */
interface PointWriter extends AutoCloseable {

    /**
     * Writes {@code points} as one request.
     *
     * @throws WriteException when the server did not acknowledge the batch; {@link WriteException#retryable()}
     *     tells an outage (retry) from points the server refuses (retrying would never succeed)
     */
    void write(List<Point> points) throws WriteException;

    @Override
    void close();

    /** A write the server did not acknowledge. */
    final class WriteException extends Exception {
        private final boolean retryable;

        WriteException(String message, boolean retryable, Throwable cause) {
            super(message, cause);
            this.retryable = retryable;
        }

        boolean retryable() {
            return retryable;
        }
    }
}
