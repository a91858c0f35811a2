package io.loopflow.app;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Connections that send the first half of a request and then wait, as a slow or hostile client does: the
 * test opens them, checks that the server still answers others, and closes them.
 */
final class SlowClients implements AutoCloseable {
    private final List<Socket> sockets = new ArrayList<>();

    /** Opens {@code count} connections to 127.0.0.1:{@code port}, each sending half of a {@code GET path}. */
    static SlowClients open(int port, String path, int count) throws IOException {
        SlowClients clients = new SlowClients();
        try {
            for (int i = 0; i < count; i++) {
                Socket s = new Socket();
                clients.sockets.add(s);
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                OutputStream out = s.getOutputStream();
                // The request line and one header, never the blank line that ends the head.
                out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException e) {
            clients.close();
            throw e;
        }
        return clients;
    }

    /** How many connections were opened. */
    int count() {
        return sockets.size();
    }

    @Override
    public void close() {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // closing a test socket: nothing depends on it any more
            }
        }
    }
}
