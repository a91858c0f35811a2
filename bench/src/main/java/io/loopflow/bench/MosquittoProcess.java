package io.loopflow.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debian's {@code mosquitto} (2.0.x) as a separate process on a free 127.0.0.1 port, with a generated
 * configuration: anonymous, no persistence, no per-session queue limit ({@code max_queued_messages 0}:
 * the default of 1,000 would discard QoS 1 messages for a slow gateway), the broker-to-client window of
 * docker-compose's Mosquitto ({@code max_inflight_messages 1000}) and {@code TCP_NODELAY} on its sockets.
 * Writes its configuration and log under {@code dir}.
 */
final class MosquittoProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MosquittoProcess.class);
    private static final long START_TIMEOUT_MS = 15_000;

    private final Process process;
    private final int port;

    private MosquittoProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** The {@code mosquitto} binary on PATH or in /usr/sbin, if installed. */
    static Optional<Path> binary() {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.concat(Stream.of(path.split(":")).filter(d -> !d.isEmpty()).map(d -> Path.of(d, "mosquitto")),
                Stream.of(Path.of("/usr/sbin/mosquitto"))).filter(Files::isExecutable).findFirst();
    }

    static MosquittoProcess start(Path binary, Path dir) throws IOException, InterruptedException {
        int port = freePort();
        Files.createDirectories(dir);
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, """
                listener %d 127.0.0.1
                allow_anonymous true
                persistence false
                max_queued_messages 0
                max_queued_bytes 0
                max_inflight_messages 1000
                set_tcp_nodelay true
                log_dest stderr
                log_type error
                log_type warning
                user %s
                """.formatted(port, System.getProperty("user.name")));
        Path log = dir.resolve("mosquitto.log");
        Process p = new ProcessBuilder(binary.toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        MosquittoProcess m = new MosquittoProcess(p, port);
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (!listening(port)) {
            if (!p.isAlive() || System.currentTimeMillis() > deadline) {
                m.close();
                throw new IllegalStateException("mosquitto did not listen on 127.0.0.1:" + port + "; see " + log
                        + ": " + Files.readString(log));
            }
            // Polling a port with a deadline: a 20 ms pause between connection attempts.
            p.waitFor(20, TimeUnit.MILLISECONDS);
        }
        LOG.info("mosquitto ({}) listening on 127.0.0.1:{}, pid {}", binary, port, p.pid());
        return m;
    }

    String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
