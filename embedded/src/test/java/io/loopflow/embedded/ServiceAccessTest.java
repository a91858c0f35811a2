package io.loopflow.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServiceAccessTest {
    private final ServiceAccess access = new ServiceAccess(Set.of("loopflow-gateway-1", "loopflow-alerts-1"));

    private ServiceAccess.Decision connect(String clientId, String user, String password) {
        return access.decide(clientId, Optional.ofNullable(user),
                Optional.ofNullable(password).map(p -> ByteBuffer.wrap(p.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void shouldAdmitTheServicesWithTheStartsPasswordBeforeAndAfterPlantsAreAdmitted() {
        assertThat(connect("loopflow-gateway-1", ServiceAccess.SERVICE_USER, access.password()).admitted()).isTrue();

        access.admitPlants();

        assertThat(connect("loopflow-gateway-1", ServiceAccess.SERVICE_USER, access.password()).admitted()).isTrue();
        assertThat(connect("any-service-client", ServiceAccess.SERVICE_USER, access.password()).admitted()).isTrue();
    }

    @Test
    void shouldRefusePlantsAsUnavailableUntilAdmittedAndCountThem() {
        ServiceAccess.Decision early = connect("plant-1", null, null);

        assertThat(early.code()).isEqualTo(ConnackReasonCode.SERVER_UNAVAILABLE);
        assertThat(early.reason()).contains("plants are admitted once its gateway has subscribed");
        assertThat(access.refusedBeforeAdmission()).isEqualTo(1);

        access.admitPlants();

        assertThat(connect("plant-1", null, null).admitted()).isTrue();
        assertThat(connect("plant-2", "asnaes", "whatever").admitted()).as("local mode has no plant logins").isTrue();
    }

    @Test
    void shouldRefuseAServiceClientIdToAnyoneWithoutThePassword() {
        access.admitPlants();

        assertThat(connect("loopflow-gateway-1", null, null).code()).isEqualTo(ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
        assertThat(connect("loopflow-alerts-1", "asnaes", "x").code()).isEqualTo(ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
        assertThat(connect("loopflow-gateway-1", ServiceAccess.SERVICE_USER, "guess").code())
                .isEqualTo(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(connect("loopflow-gateway-1", ServiceAccess.SERVICE_USER, null).code())
                .isEqualTo(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(connect("plant-3", ServiceAccess.SERVICE_USER, access.password() + "x").code())
                .isEqualTo(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(access.refusedImpersonations()).isEqualTo(5);
    }

    @Test
    void shouldDrawADifferentPasswordForEveryStart() {
        ServiceAccess other = new ServiceAccess(Set.of("loopflow-gateway-1"));

        assertThat(other.password()).isNotEqualTo(access.password()).hasSizeGreaterThanOrEqualTo(43);
        assertThat(connect("loopflow-gateway-1", ServiceAccess.SERVICE_USER, other.password()).admitted()).isFalse();
    }
}
