package io.loopflow.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

class SitePartitionerTest {

    @Test
    void shouldPutEveryMeterOfASiteWhereTheDefaultPartitionerPutsTheSiteKey() {
        for (int partitions = 1; partitions <= 12; partitions++) {
            for (String site : new String[] {"asnaes", "gyproc", "novo-nordisk", "site-7"}) {
                int bySite = Utils.toPositive(Utils.murmur2(site.getBytes(StandardCharsets.UTF_8))) % partitions;
                assertThat(SitePartitioner.partitionOf(site, partitions)).isEqualTo(bySite);
                assertThat(SitePartitioner.partitionOf(site + "/gypsum-out", partitions)).isEqualTo(bySite);
                assertThat(SitePartitioner.partitionOf(site + "/m-1", partitions)).isEqualTo(bySite);
            }
        }
    }

    @Test
    void shouldSpreadSitesOverPartitions() {
        Set<Integer> used = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            used.add(SitePartitioner.partitionOf("site-" + i + "/m", 6));
        }
        assertThat(used).hasSize(6);
    }
}
