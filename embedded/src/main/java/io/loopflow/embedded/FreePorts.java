package io.loopflow.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Picks a free TCP port on 127.0.0.1 for a server that cannot report the port it bound to. */
final class FreePorts {
    private FreePorts() {
    }

    /** Returns {@code port} unless it is 0, else a port that was free on 127.0.0.1 a moment ago. */
    static int resolve(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        return port == 0 ? pick() : port;
    }

    static int pick() {
        // Bind-and-release leaves a small race with other processes; acceptable for local mode and tests,
        // and the server's own bind then fails loudly rather than silently using another port.
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }
}
