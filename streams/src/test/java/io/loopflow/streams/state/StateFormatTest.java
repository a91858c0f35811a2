package io.loopflow.streams.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loopflow.core.model.RoleSums;
import io.loopflow.streams.region.RegionCodecs;
import io.loopflow.streams.region.RegionEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

class StateFormatTest {

    @Test
    void shouldRoundTripEveryFieldKindWithTheVersionFirst() {
        byte[] bytes = Bin.Writer.value().u8(7).bool(true).i32(-5).i64(Long.MIN_VALUE + 1).f64(0.1).str("gypsum").str(null)
                .optI64(null).optI64(42L).bytes();

        assertThat(bytes[0]).isEqualTo((byte) StateFormat.VERSION);
        Bin.Reader r = Bin.Reader.value(bytes, "test value");
        assertThat(r.u8()).isEqualTo(7);
        assertThat(r.bool()).isTrue();
        assertThat(r.i32()).isEqualTo(-5);
        assertThat(r.i64()).isEqualTo(Long.MIN_VALUE + 1);
        assertThat(r.f64()).isEqualTo(0.1);
        assertThat(r.str()).isEqualTo("gypsum");
        assertThat(r.str()).isNull();
        assertThat(r.optI64()).isNull();
        assertThat(r.optI64()).isEqualTo(42L);
        assertThat(r.hasMore()).isFalse();
    }

    @Test
    void writersInterleavedOnOneThreadKeepTheirOwnBytesAndNoneSeesAnothersLater() {
        Bin.Writer outer = Bin.Writer.value().str("outer");
        Bin.Writer inner = Bin.Writer.key().id("inner"); // built while outer holds the thread's scratch buffer
        byte[] innerBytes = inner.bytes();
        byte[] outerBytes = outer.str("more").bytes();
        byte[] next = Bin.Writer.value().str("next").bytes(); // takes the scratch back after outer returned it
        byte[] big = Bin.Writer.value().str("x".repeat(2000)).bytes(); // grows past the scratch buffer

        assertThat(new String(innerBytes, StandardCharsets.UTF_8)).isEqualTo("inner\0");
        Bin.Reader o = Bin.Reader.value(outerBytes, "outer");
        assertThat(o.str()).isEqualTo("outer");
        assertThat(o.str()).isEqualTo("more");
        assertThat(Bin.Reader.value(next, "next").str()).isEqualTo("next");
        assertThat(Bin.Reader.value(big, "big").str()).hasSize(2000);
        // Bytes handed out earlier are copies: later writers on the thread do not change them.
        assertThat(Bin.Reader.value(outerBytes, "outer again").str()).isEqualTo("outer");
        assertThatThrownBy(() -> Bin.Writer.value().str("y".repeat(70_000))).isInstanceOf(IllegalArgumentException.class);
        assertThat(Bin.Reader.value(Bin.Writer.value().str("after").bytes(), "after").str()).isEqualTo("after");
    }

    @Test
    void shouldSortKeysByIdThenTimeIncludingTimesBefore1970() {
        List<Bytes> keys = new ArrayList<>();
        for (String meter : new String[] {"m1", "m10", "m2"}) {
            for (long t : new long[] {-60_000, 0, 1_700_000_000_000L}) {
                keys.add(Bytes.wrap(Bin.Writer.key().id("s").id(meter).ordered(t).bytes()));
            }
        }
        List<Bytes> sorted = new ArrayList<>(keys);
        sorted.sort(Bytes::compareTo);

        assertThat(sorted).isEqualTo(keys);
        Bin.Reader r = Bin.Reader.key(keys.get(0).get(), 0);
        assertThat(r.id()).isEqualTo("s");
        assertThat(r.id()).isEqualTo("m1");
        assertThat(r.ordered()).isEqualTo(-60_000);
    }

    @Test
    void shouldRefuseJsonOfFormat1WithHowToReset() {
        byte[] json = "{\"readings\":[{\"t\":1,\"v\":2.0}]}".getBytes(StandardCharsets.UTF_8);

        assertThat(StateFormat.versionOf(json)).isEqualTo(1);
        assertThatThrownBy(() -> Bin.Reader.value(json, "loopflow-held-readings"))
                .isInstanceOf(StateFormat.StateFormatException.class)
                .hasMessageContaining("loopflow-held-readings was written in state format 1")
                .hasMessageContaining("kafka-streams-application-reset")
                .hasMessageContaining("state directory");
    }

    @Test
    void shouldRefuseAFutureFormat() {
        byte[] future = {(byte) (StateFormat.VERSION + 1), 0, 0};

        assertThatThrownBy(() -> RegionCodecs.EVENT.deserializer().deserialize("t", future))
                .isInstanceOf(StateFormat.StateFormatException.class)
                .hasMessageContaining("state format " + (StateFormat.VERSION + 1));
    }

    @Test
    void shouldRoundTripRegionEvents() {
        RegionEvent window = RegionEvent.window("kalundborg", "asnaes", "gypsum", 3_600_000, 1_700_000_000_000L, 1_700_003_600_000L,
                new RoleSums(1, 2, 3, 4, 5, 6, 7), "t", true);
        RegionEvent progress = RegionEvent.progress("kalundborg", "asnaes", "gypsum", Long.MIN_VALUE);

        for (RegionEvent e : List.of(window, progress, RegionEvent.leave("kalundborg", "asnaes", "gypsum"))) {
            byte[] bytes = RegionCodecs.EVENT.serializer().serialize("t", e);
            assertThat(RegionCodecs.EVENT.deserializer().deserialize("t", bytes)).isEqualTo(e);
        }
    }
}
