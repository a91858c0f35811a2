package io.loopflow.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {

    @Test
    void readsEachShortUnit() {
        assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationConverter.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DurationConverter.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(DurationConverter.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(DurationConverter.parse("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(DurationConverter.parse("0s")).isZero();
    }

    @Test
    void readsIso8601() {
        assertThat(DurationConverter.parse("PT1H30M")).isEqualTo(Duration.ofMinutes(90));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "5x", "-5m", "1.5h", "m", "PT-1H", "99999999999999999999d"})
    void refusesWhatIsNotADuration(String text) {
        assertThatThrownBy(() -> DurationConverter.parse(text))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @Test
    void formatsInTheShortFormItReads() {
        for (String text : new String[] {"0s", "250ms", "30s", "5m", "1h", "1d", "90m"}) {
            assertThat(DurationConverter.format(DurationConverter.parse(text))).isEqualTo(text);
        }
    }
}
