package io.loopflow.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.MeterKind;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.SiteDescriptor;
import org.junit.jupiter.api.Test;

class DescriptorsTest {
    private final Descriptors descriptors = new Descriptors();

    @Test
    void siteRegionFollowsItsDescriptorAndATombstoneForgetsIt() {
        descriptors.site("asnaes", new SiteDescriptor("Asnaes", "kalundborg", 55.66, 11.09));
        assertThat(descriptors.region("asnaes")).isEqualTo("kalundborg");

        descriptors.site("asnaes", null);
        assertThat(descriptors.region("asnaes")).isNull();
    }

    @Test
    void receiverIsNamedByTheReuseMetersOfThatSiteAndMaterial() {
        descriptors.meter("asnaes/m1", new MeterDescriptor("gypsum", Role.OUT_REUSE, MeterKind.COUNTER, "t", "gyproc"));
        descriptors.meter("asnaes/m2", new MeterDescriptor("gypsum", Role.OUT_REUSE, MeterKind.COUNTER, "t", "cemex"));
        descriptors.meter("asnaes/m3", new MeterDescriptor("gypsum", Role.OUT_DISPOSAL, MeterKind.COUNTER, "t", "landfill"));
        descriptors.meter("asnaes/m4", new MeterDescriptor("fly-ash", Role.OUT_REUSE, MeterKind.COUNTER, "t", null));
        descriptors.meter("asnaes2/m1", new MeterDescriptor("gypsum", Role.OUT_REUSE, MeterKind.COUNTER, "t", "novo"));

        assertThat(descriptors.receiver("asnaes", "gypsum")).isEqualTo("cemex+gyproc");
        assertThat(descriptors.receiver("asnaes", "fly-ash")).isNull();

        descriptors.meter("asnaes/m2", null);
        assertThat(descriptors.receiver("asnaes", "gypsum")).isEqualTo("gyproc");
    }
}
