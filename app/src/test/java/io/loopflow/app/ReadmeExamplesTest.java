package io.loopflow.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopflow.core.inbound.Decoded;
import io.loopflow.core.inbound.InboundDecoder;
import io.loopflow.core.inbound.InboundTopic;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The mosquitto_pub examples of README.md are what a plant would copy: each must pass the gateway's decoder. */
class ReadmeExamplesTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Pattern EXAMPLE = Pattern.compile("mosquitto_pub .*?-t '([^']+)'(?: -m '([^']*)')?");
    // After the examples' timestamps, so none of them is from the future.
    private static final Instant RECEIVED = Instant.parse("2026-11-22T10:20:00Z");

    private record Example(String topic, String payload, String line) {
    }

    @Test
    void everyExampleDecodesWithoutRejection() throws IOException {
        List<Example> examples = examples();
        InboundDecoder decoder = new InboundDecoder(InboundDecoder.DEFAULT_MAX_FUTURE);

        for (Example e : examples) {
            Decoded decoded = decoder.decode(e.topic(), e.payload().getBytes(StandardCharsets.UTF_8), RECEIVED);
            assertThat(decoded.rejections()).as(e.line()).isEmpty();
            assertThat(decoded.readings().isEmpty() && decoded.descriptor() == null).as("does something: " + e.line()).isFalse();
        }
    }

    @Test
    void thereIsAnExampleForEveryInboundTopic() throws IOException {
        List<InboundTopic.Type> types = examples().stream().map(e -> InboundTopic.parse(e.topic()).type()).distinct().toList();
        assertThat(types).containsExactlyInAnyOrder(InboundTopic.Type.values());
    }

    @Test
    void theDeleteExampleIsAnEmptyRetainedPayload() throws IOException {
        assertThat(Files.readString(README)).contains("mosquitto_pub -h 127.0.0.1 -p 1883 -V mqttv5 -q 1 -r -n -t 'loopflow/v1/gyproc/demands/gypsum'");
    }

    private static List<Example> examples() throws IOException {
        assertThat(README).as("README.md at the repository root").isRegularFile();
        List<Example> out = new ArrayList<>();
        for (String line : Files.readAllLines(README, StandardCharsets.UTF_8)) {
            Matcher m = EXAMPLE.matcher(line);
            if (m.find() && !line.contains(" -n ")) {
                out.add(new Example(m.group(1), m.group(2) == null ? "" : m.group(2), line));
            }
        }
        assertThat(out).as("mosquitto_pub examples in README.md").hasSizeGreaterThanOrEqualTo(5);
        return out;
    }
}
