package io.loopflow.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdsTest {

    @ParameterizedTest
    @ValueSource(strings = {"asnaes", "a", "0site", "site-1", "fly_ash", "gypsum.fgd",
        "a123456789012345678901234567890123456789012345678901234567890123"})
    void shouldAcceptContractIds(String id) {
        assertThat(Ids.isValid(id)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Asnaes", "-site", ".site", "_site", "site 1", "site/1", "sité", "site+",
        "a1234567890123456789012345678901234567890123456789012345678901234"})
    void shouldRejectAnythingElseWithoutSanitising(String id) {
        assertThat(Ids.isValid(id)).isFalse();
        assertThatThrownBy(() -> Ids.require("site", id))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.reason()).isEqualTo(RejectReason.INVALID_FIELD))
                .hasMessageContaining("invalid site id");
    }

    @Test
    void handWrittenCheckAgreesWithTheContractsPatternOnRandomStrings() {
        java.util.Random random = new java.util.Random(20261130L);
        String alphabet = "abcz09AZ._-/ é\u0000";
        int valid = 0;
        for (int n = 0; n < 50_000; n++) {
            StringBuilder sb = new StringBuilder();
            int len = random.nextInt(70);
            for (int i = 0; i < len; i++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String id = sb.toString();
            boolean expected = Ids.pattern().matcher(id).matches();
            assertThat(Ids.isValid(id)).as(id).isEqualTo(expected);
            valid += expected ? 1 : 0;
        }
        // Both answers occur, or the comparison would prove nothing.
        assertThat(valid).isBetween(100, 49_900);
    }

    @Test
    void shouldRejectNull() {
        assertThat(Ids.isValid(null)).isFalse();
    }
}
