package io.loopflow.embedded;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may connect to the embedded broker of {@code loopflow local} (CONTRACT.md section 7), decided for
 * every CONNECT by an authenticator of HiveMQ's extension SDK, embedded in the broker
 * ({@link EmbeddedMqttBroker.Builder#access}):
 * <ul>
 *   <li>LoopFlow's own services (gateway, alert publisher, simulator) log in as user {@value #SERVICE_USER}
 *       with a password drawn at random for each start and known only to this process
 *       ({@link #password()}): always admitted;</li>
 *   <li>anyone else ("plants") is refused with {@code 0x88 server unavailable} until {@link #admitPlants()},
 *       which local mode calls once its gateway's session exists and is subscribed, so that no QoS 1 reading
 *       is acknowledged by the broker before a gateway session queues it;</li>
 *   <li>a plant that names one of the services' client ids is refused ({@code 0x85 client identifier not
 *       valid}), so it can neither take over nor end a service's session; one that names user
 *       {@value #SERVICE_USER} with another password is refused ({@code 0x86 bad user name or password}).</li>
 * </ul>
 * Thread-safe; the decision itself is {@link #decide}, a pure function of the CONNECT's client id, user
 * name and password and of whether plants are admitted yet.
 */
public final class ServiceAccess {
    /** The MQTT user name of LoopFlow's services. */
    public static final String SERVICE_USER = "loopflow-service";

    private static final Logger LOG = LoggerFactory.getLogger(ServiceAccess.class);
    private static final int SECRET_BYTES = 32;

    /** The answer to one CONNECT: admitted ({@code code} null) or refused with a reason code and why. */
    record Decision(ConnackReasonCode code, String reason) {
        static final Decision ADMIT = new Decision(null, "admitted");

        boolean admitted() {
            return code == null;
        }
    }

    private final Set<String> serviceClientIds;
    private final byte[] secret;
    private final String password;
    private final AtomicLong refusedBeforeAdmission = new AtomicLong();
    private final AtomicLong refusedImpersonations = new AtomicLong();
    private volatile boolean plantsAdmitted;

    /** Access for a broker whose services use {@code serviceClientIds}; a fresh random password. */
    public ServiceAccess(Set<String> serviceClientIds) {
        this.serviceClientIds = Set.copyOf(serviceClientIds);
        byte[] random = new byte[SECRET_BYTES];
        new SecureRandom().nextBytes(random);
        this.password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        this.secret = password.getBytes(StandardCharsets.UTF_8);
    }

    /** The password of {@value #SERVICE_USER} for this start; give it to this process's services only. */
    public String password() {
        return password;
    }

    /** The client ids no one but the services may use. */
    public Set<String> serviceClientIds() {
        return serviceClientIds;
    }

    /** From now on plants may connect. */
    public void admitPlants() {
        plantsAdmitted = true;
        LOG.info("MQTT broker admits plants now (refused before: {} connection attempts)", refusedBeforeAdmission.get());
    }

    /** True once {@link #admitPlants()} was called. */
    public boolean plantsAdmitted() {
        return plantsAdmitted;
    }

    /** Plants' CONNECTs refused because the gateway was not subscribed yet. */
    public long refusedBeforeAdmission() {
        return refusedBeforeAdmission.get();
    }

    /** CONNECTs refused because they named a service's client id or user without its password. */
    public long refusedImpersonations() {
        return refusedImpersonations.get();
    }

    /** The decision for a CONNECT with these fields. */
    Decision decide(String clientId, Optional<String> user, Optional<ByteBuffer> passwordGiven) {
        if (user.isPresent() && user.get().equals(SERVICE_USER)) {
            if (passwordGiven.isPresent() && MessageDigest.isEqual(bytes(passwordGiven.get()), secret)) {
                return Decision.ADMIT;
            }
            refusedImpersonations.incrementAndGet();
            return new Decision(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD,
                    "user " + SERVICE_USER + " belongs to LoopFlow's own services: wrong password");
        }
        if (serviceClientIds.contains(clientId)) {
            refusedImpersonations.incrementAndGet();
            return new Decision(ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
                    "client id " + clientId + " is reserved for LoopFlow's own services");
        }
        if (!plantsAdmitted) {
            refusedBeforeAdmission.incrementAndGet();
            return new Decision(ConnackReasonCode.SERVER_UNAVAILABLE,
                    "LoopFlow is starting: plants are admitted once its gateway has subscribed");
        }
        return Decision.ADMIT;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.asReadOnlyBuffer();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** The embedded extension that puts {@link #decide} in front of every CONNECT. */
    EmbeddedExtension extension() {
        SimpleAuthenticator authenticator = this::onConnect;
        ExtensionMain main = new ExtensionMain() {
            @Override
            public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
                Services.securityRegistry().setAuthenticatorProvider(providerInput -> authenticator);
            }

            @Override
            public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
                // Nothing held: HiveMQ removes the authenticator with the extension.
            }
        };
        return EmbeddedExtension.builder()
                .withId("loopflow-service-access")
                .withName("LoopFlow service access")
                .withVersion("1")
                .withAuthor("LoopFlow")
                .withPriority(1000)
                .withStartPriority(1000)
                .withExtensionMain(main)
                .build();
    }

    private void onConnect(SimpleAuthInput input, SimpleAuthOutput output) {
        ConnectPacket connect = input.getConnectPacket();
        Decision d = decide(Objects.requireNonNullElse(connect.getClientId(), ""), connect.getUserName(), connect.getPassword());
        if (d.admitted()) {
            output.authenticateSuccessfully();
            return;
        }
        if (d.code() == ConnackReasonCode.SERVER_UNAVAILABLE) {
            // A plant retrying before the start completes: one line per attempt would flood the log.
            LOG.debug("MQTT CONNECT of {} refused: {}", connect.getClientId(), d.reason());
        } else {
            LOG.warn("MQTT CONNECT of client id {}{} refused: {}", connect.getClientId(),
                    connect.getUserName().map(u -> " as user " + u).orElse(""), d.reason());
        }
        output.failAuthentication(d.code(), d.reason());
    }
}
