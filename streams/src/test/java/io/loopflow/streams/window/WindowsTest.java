package io.loopflow.streams.window;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WindowsTest {
    @Test
    void windowsAreAlignedToTheEpochAlsoBeforeIt() {
        assertThat(Windows.startOf(125_000, 60_000)).isEqualTo(120_000);
        assertThat(Windows.startOf(-1, 60_000)).isEqualTo(-60_000);
    }

    @Test
    void keyPartsSortInTimeOrder() {
        assertThat(Windows.keyPart(60_000)).isEqualTo("0000000000000060000");
        assertThat(Windows.keyPart(999_999)).isLessThan(Windows.keyPart(1_000_000));
        assertThat(Windows.keyPart(-60_000)).isEqualTo("-60000");
    }
}
