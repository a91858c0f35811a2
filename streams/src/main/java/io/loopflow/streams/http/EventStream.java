package io.loopflow.streams.http;

import io.loopflow.core.json.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server-sent event stream ({@code text/event-stream}, the HTML standard's {@code EventSource}): every client
 * gets the events of {@code onConnect} first, then every {@link #broadcast} event, and a comment every
 * {@link #HEARTBEAT} so that neither the server's idle timeout nor a proxy closes a quiet stream. Writes are
 * asynchronous and queued per client: a slow client never delays the others, and one that falls
 * {@link #MAX_QUEUED_BYTES} behind is dropped (its browser reconnects after {@link #RETRY}).
 */
public final class EventStream extends Handler.Abstract implements AutoCloseable {
    /** Period of the keep-alive comment. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(5);
    /** How long a browser waits before it reconnects a broken stream. */
    public static final Duration RETRY = Duration.ofSeconds(2);
    /** Event text a client may have waiting before it is dropped. */
    static final int MAX_QUEUED_BYTES = 1 << 20;
    private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);

    /** One event: its name and its data, written as JSON. */
    public record Event(String name, Object data) {
        String text() {
            // LoopFlow's JSON never holds a raw line break (the codec escapes them), so the data is one line.
            return "event: " + name + "\ndata: " + Json.writeString(data) + "\n\n";
        }
    }

    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private final Supplier<List<Event>> onConnect;
    private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "loopflow-sse-heartbeat");
        t.setDaemon(true);
        return t;
    });

    /** @param onConnect the events a new client gets first (read at each connection) */
    public EventStream(Supplier<List<Event>> onConnect) {
        this.onConnect = onConnect;
        heartbeat.scheduleAtFixedRate(() -> clients.forEach(c -> c.offer(": keep-alive\n\n")),
                HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!HttpMethod.GET.is(request.getMethod())) {
            JsonEndpoint.write(response, JsonEndpoint.Answer.error(405, "only GET"), callback);
            return true;
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        Client client = new Client(response, callback);
        clients.add(client);
        // Registered before the first events are read, so nothing broadcast meanwhile is missed (the page merges by id).
        StringBuilder first = new StringBuilder("retry: " + RETRY.toMillis() + "\n\n");
        onConnect.get().forEach(e -> first.append(e.text()));
        client.offer(first.toString());
        request.addFailureListener(failure -> client.drop(failure));
        return true;
    }

    /** Sends {@code event} to every connected client. */
    public void broadcast(Event event) {
        if (clients.isEmpty()) {
            return;
        }
        String text = event.text();
        clients.forEach(c -> c.offer(text));
    }

    /** Clients connected now. */
    public int clients() {
        return clients.size();
    }

    @Override
    public void close() {
        heartbeat.shutdownNow();
        clients.forEach(c -> c.drop(new IOException("event stream closed: the server stops")));
    }

    /** One connected client: its queue of event text, written one write at a time. */
    private final class Client extends IteratingCallback {
        private final Response response;
        private final Callback done;
        private final Deque<String> queue = new ArrayDeque<>();
        private int queuedBytes;
        private boolean dropped;

        Client(Response response, Callback done) {
            this.response = response;
            this.done = done;
        }

        void offer(String text) {
            synchronized (this) {
                if (dropped) {
                    return;
                }
                if (queuedBytes + text.length() > MAX_QUEUED_BYTES) {
                    LOG.warn("server-sent event client too slow ({} bytes waiting); dropping it", queuedBytes);
                    dropLocked(new IOException("event stream client too slow"));
                    return;
                }
                queue.addLast(text);
                queuedBytes += text.length();
            }
            iterate();
        }

        @Override
        protected Action process() {
            String next;
            synchronized (this) {
                if (dropped) {
                    return Action.SUCCEEDED;
                }
                if (queue.isEmpty()) {
                    return Action.IDLE;
                }
                StringBuilder all = new StringBuilder();
                while (!queue.isEmpty()) {
                    all.append(queue.removeFirst());
                }
                queuedBytes = 0;
                next = all.toString();
            }
            response.write(false, ByteBuffer.wrap(next.getBytes(StandardCharsets.UTF_8)), this);
            return Action.SCHEDULED;
        }

        @Override
        protected void onCompleteFailure(Throwable cause) {
            drop(cause);
        }

        void drop(Throwable cause) {
            synchronized (this) {
                dropLocked(cause);
            }
        }

        private void dropLocked(Throwable cause) {
            if (dropped) {
                return;
            }
            dropped = true;
            queue.clear();
            clients.remove(this);
            // Failing the request ends the stream (the connection closes), also with a write still in flight.
            done.failed(cause);
        }
    }
}
