package io.loopflow.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLSocket;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MqttTlsTest {
    @TempDir
    static Path dir;
    private static TestCertificates certs;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certs = TestCertificates.caOnly(dir);
    }

    @Test
    void shouldGiveTcpNoDelaySocketsForTcpAndTlsSocketsWithTcpNoDelayForSsl() throws Exception {
        MqttConnectionOptions o = new MqttConnectionOptions();

        MqttTls.JVM_TRUST.applyTo(o, "tcp://127.0.0.1:1883", "gateway");
        assertThat(o.getSocketFactory()).isInstanceOf(TcpNoDelaySocketFactory.class);

        new MqttTls(certs.caPem(), "").applyTo(o, "ssl://127.0.0.1:8883", "gateway");
        assertThat(o.getSocketFactory()).isInstanceOf(TlsNoDelaySocketFactory.class);
        assertThat(o.isHttpsHostnameVerificationEnabled()).isTrue();
        // Paho creates the socket unconnected, connects it, then starts the handshake.
        try (SSLSocket s = (SSLSocket) o.getSocketFactory().createSocket()) {
            assertThat(s.getTcpNoDelay()).isTrue();
        }
    }

    @Test
    void shouldReadATrustStoreAsPemOrAsPkcs12WithItsPassword() {
        new MqttTls(certs.caPem(), "").validate("gateway", "ssl://broker:8883");
        new MqttTls(certs.caTrustStore(), certs.password()).validate("gateway", "ssl://broker:8883");
        MqttTls.JVM_TRUST.validate("gateway", "ssl://broker:8883");
    }

    @Test
    void shouldNameTheKeyOfEveryTrustStoreThatCannotWork() throws Exception {
        assertThatIllegalArgumentException().isThrownBy(() -> new MqttTls(certs.caPem(), "").validate("gateway", "tcp://broker:1883"))
                .withMessageStartingWith("gateway.mqtt-trust-store is set but gateway.mqtt-uri 'tcp://broker:1883' is not ssl://");
        assertThatIllegalArgumentException().isThrownBy(() -> new MqttTls(dir.resolve("missing.p12"), "").validate("gateway", "ssl://b:8883"))
                .withMessageStartingWith("gateway.mqtt-trust-store ").withMessageContaining("is not a readable file");
        assertThatIllegalArgumentException().isThrownBy(() -> new MqttTls(certs.caTrustStore(), "wrong").validate("alerts", "ssl://b:8883"))
                .withMessageStartingWith("alerts.mqtt-trust-store ").withMessageContaining("wrong alerts.mqtt-trust-store-password?");
        Path garbage = Files.writeString(dir.resolve("garbage.p12"), "not a key store");
        assertThatIllegalArgumentException().isThrownBy(() -> new MqttTls(garbage, "").validate("gateway", "ssl://b:8883"))
                .withMessageStartingWith("gateway.mqtt-trust-store ");
        assertThatIllegalArgumentException().isThrownBy(() -> new MqttTls(null, "s3cret").validate("gateway", "ssl://b:8883"))
                .withMessage("gateway.mqtt-trust-store-password is set but gateway.mqtt-trust-store is empty");
    }

    @Test
    void shouldNeverPrintThePassword() {
        assertThat(new MqttTls(certs.caTrustStore(), "s3cret").toString()).doesNotContain("s3cret").contains("***");
    }
}
