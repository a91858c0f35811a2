package io.loopflow.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test helper: a throw-away CA and a broker certificate it signed for 127.0.0.1 and localhost, made with the
 * JDK's {@code keytool} (always there, no library needed). Files, in {@code dir}:
 * {@code ca.pem} (the CA certificate, PEM), {@code ca-truststore.p12} (the same as a PKCS12 trust store),
 * {@code broker.p12} (the broker's key with its chain) and {@code other-ca.pem} (an unrelated CA); {@link #caOnly} makes
 * the first two only.
 */
record TestCertificates(Path caPem, Path caTrustStore, Path brokerKeyStore, Path otherCaPem, String password) {

    /** Only the CA, as PEM and as a PKCS12 trust store (three keytool runs instead of ten); no broker key store. */
    static TestCertificates caOnly(Path dir) throws IOException, InterruptedException {
        String pw = "test-" + Long.toHexString(System.nanoTime());
        Path ca = dir.resolve("ca.p12");
        Path caPem = dir.resolve("ca.pem");
        Path trust = dir.resolve("ca-truststore.p12");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=LoopFlow test CA",
                "-ext", "bc:c", "-validity", "2", "-keystore", ca.toString(), "-storepass", pw, "-storetype", "PKCS12");
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", pw, "-file", caPem.toString());
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caPem.toString(), "-keystore", trust.toString(), "-storepass", pw,
                "-storetype", "PKCS12");
        return new TestCertificates(caPem, trust, null, null, pw);
    }

    static TestCertificates create(Path dir) throws IOException, InterruptedException {
        String pw = "test-" + Long.toHexString(System.nanoTime());
        Path ca = dir.resolve("ca.p12");
        Path other = dir.resolve("other-ca.p12");
        Path broker = dir.resolve("broker.p12");
        Path caPem = dir.resolve("ca.pem");
        Path otherPem = dir.resolve("other-ca.pem");
        Path csr = dir.resolve("broker.csr");
        Path brokerPem = dir.resolve("broker.pem");
        Path trust = dir.resolve("ca-truststore.p12");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=LoopFlow test CA",
                "-ext", "bc:c", "-validity", "2", "-keystore", ca.toString(), "-storepass", pw, "-storetype", "PKCS12");
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", pw, "-file", caPem.toString());
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=Someone else's CA",
                "-ext", "bc:c", "-validity", "2", "-keystore", other.toString(), "-storepass", pw, "-storetype", "PKCS12");
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", other.toString(), "-storepass", pw, "-file", otherPem.toString());
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-validity", "2", "-keystore", broker.toString(), "-storepass", pw, "-storetype", "PKCS12");
        keytool("-certreq", "-alias", "broker", "-keystore", broker.toString(), "-storepass", pw, "-file", csr.toString());
        keytool("-gencert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", pw, "-infile", csr.toString(),
                "-outfile", brokerPem.toString(), "-rfc", "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caPem.toString(), "-keystore", broker.toString(), "-storepass", pw);
        keytool("-importcert", "-alias", "broker", "-file", brokerPem.toString(), "-keystore", broker.toString(), "-storepass", pw);
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caPem.toString(), "-keystore", trust.toString(), "-storepass", pw,
                "-storetype", "PKCS12");
        return new TestCertificates(caPem, trust, broker, otherPem, pw);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed:\n" + out);
        }
    }
}
