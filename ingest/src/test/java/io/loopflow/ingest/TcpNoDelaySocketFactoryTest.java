package io.loopflow.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

class TcpNoDelaySocketFactoryTest {

    @Test
    void shouldHandPahoAnUnconnectedSocketThatKeepsTcpNoDelayOnceConnected() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket socket = new TcpNoDelaySocketFactory().createSocket()) {
            // What Paho's TCPNetworkModule does: createSocket(), then connect().
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 5_000);

            assertThat(socket.isConnected()).isTrue();
            assertThat(socket.getTcpNoDelay()).isTrue();
        }
    }

    @Test
    void shouldSetTcpNoDelayOnSocketsItConnectsItself() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket socket = new TcpNoDelaySocketFactory().createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
            assertThat(socket.getTcpNoDelay()).isTrue();
        }
    }
}
