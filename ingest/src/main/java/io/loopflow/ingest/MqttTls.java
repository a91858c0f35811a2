package io.loopflow.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Objects;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;

/**
 * How an MQTT client of LoopFlow opens its connection: plain TCP for a {@code tcp://} URI, TLS for an
 * {@code ssl://} URI, both with {@code TCP_NODELAY} (Paho sets neither; without it each small PUBACK waits
 * for Nagle's algorithm). TLS checks the broker's certificate against {@link #trustStore()}, or against
 * the JVM's trust store ({@code javax.net.ssl.trustStore}, else the JDK's CA certificates) when none is
 * given, and checks that the certificate names the host of the URI (Paho's HTTPS-style verification).
 *
 * @param trustStore         {@code <prefix>.mqtt-trust-store}: the CA certificates to trust, as a PKCS12 or JKS
 *                           key store or as PEM certificates ({@code -----BEGIN CERTIFICATE-----}); null for the JVM's
 * @param trustStorePassword {@code <prefix>.mqtt-trust-store-password}: the key store's password; empty for none
 *                           (a PKCS12 store of certificates can be read without one; PEM needs none)
 */
public record MqttTls(Path trustStore, String trustStorePassword) {
    /** TLS, where the URI asks for it, against the JVM's trust store. */
    public static final MqttTls JVM_TRUST = new MqttTls(null, "");

    public MqttTls {
        trustStorePassword = Objects.requireNonNullElse(trustStorePassword, "");
    }

    /**
     * Throws, naming the key, when this cannot work for {@code mqttUri}: a trust store with a {@code tcp://}
     * URI (it would silently not be used), a trust store that cannot be read, a wrong password.
     *
     * @param prefix the configuration prefix of the process, e.g. {@code gateway}
     */
    public void validate(String prefix, String mqttUri) {
        if (trustStore == null) {
            if (!trustStorePassword.isEmpty()) {
                throw new IllegalArgumentException(prefix + ".mqtt-trust-store-password is set but " + prefix + ".mqtt-trust-store is empty");
            }
            return;
        }
        if (!mqttUri.startsWith("ssl://")) {
            throw new IllegalArgumentException(prefix + ".mqtt-trust-store is set but " + prefix + ".mqtt-uri '" + mqttUri
                    + "' is not ssl://: the trust store would not be used");
        }
        sslContext(prefix);
    }

    /** The socket factory for {@code mqttUri}, put into {@code options}. */
    public void applyTo(MqttConnectionOptions options, String mqttUri, String prefix) {
        options.setSocketFactory(socketFactory(mqttUri, prefix));
        // Paho's default, stated: the broker's certificate must name the host of the URI.
        options.setHttpsHostnameVerificationEnabled(true);
    }

    /** Plain TCP for {@code tcp://}, TLS for {@code ssl://}, both with TCP_NODELAY. */
    public SocketFactory socketFactory(String mqttUri, String prefix) {
        if (mqttUri.startsWith("ssl://")) {
            return new TlsNoDelaySocketFactory(sslContext(prefix).getSocketFactory());
        }
        return new TcpNoDelaySocketFactory();
    }

    private SSLContext sslContext(String prefix) {
        if (trustStore == null) {
            try {
                return SSLContext.getDefault();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("this JVM offers no default TLS context", e);
            }
        }
        KeyStore trusted = load(prefix);
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(prefix + ".mqtt-trust-store " + trustStore + " cannot be used: " + e.getMessage(), e);
        }
    }

    private KeyStore load(String prefix) {
        String key = prefix + ".mqtt-trust-store";
        if (!Files.isRegularFile(trustStore) || !Files.isReadable(trustStore)) {
            throw new IllegalArgumentException(key + " " + trustStore + " is not a readable file");
        }
        try {
            KeyStore store;
            if (isPem()) {
                store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                Collection<? extends Certificate> certificates;
                try (InputStream in = Files.newInputStream(trustStore)) {
                    certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
                }
                int i = 0;
                for (Certificate c : certificates) {
                    store.setCertificateEntry("ca-" + i++, c);
                }
            } else {
                store = KeyStore.getInstance(trustStore.toFile(), trustStorePassword.isEmpty() ? null : trustStorePassword.toCharArray());
            }
            if (store.size() == 0) {
                throw new IllegalArgumentException(key + " " + trustStore + " holds no certificate");
            }
            return store;
        } catch (IOException e) {
            // KeyStore reports a wrong password as an IOException caused by UnrecoverableKeyException.
            throw new IllegalArgumentException(key + " " + trustStore + " cannot be read (wrong " + key + "-password?): "
                    + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(key + " " + trustStore + " is neither PEM certificates nor a PKCS12/JKS key store: "
                    + e.getMessage(), e);
        }
    }

    private boolean isPem() throws IOException {
        try (InputStream in = Files.newInputStream(trustStore)) {
            return new String(in.readNBytes(64), StandardCharsets.US_ASCII).contains("-----BEGIN");
        }
    }

    @Override
    public String toString() {
        return "MqttTls[trustStore=" + (trustStore == null ? "JVM default" : trustStore)
                + ", trustStorePassword=" + (trustStorePassword.isEmpty() ? "" : "***") + "]";
    }
}
