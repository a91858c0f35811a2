package io.loopflow.sink;

import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.Role;
import io.loopflow.core.model.SiteDescriptor;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the sink knows of the descriptor topics {@code loopflow.sites} (key {@code site}) and
 * {@code loopflow.meters} (key {@code site/meter}): each site's region, for the {@code region} tag, and
 * the receiving sites named by {@code out.reuse} meters ({@code to}), for {@code loopflow_exchange}.
 * A null value (tombstone) deletes. Confined to the sink's thread.
 */
final class Descriptors {
    private final Map<String, String> regionBySite = new HashMap<>();
    private final Map<String, MeterDescriptor> meters = new HashMap<>();

    void site(String site, SiteDescriptor descriptor) {
        if (descriptor == null || descriptor.region() == null) {
            regionBySite.remove(site);
        } else {
            regionBySite.put(site, descriptor.region());
        }
    }

    void meter(String siteSlashMeter, MeterDescriptor descriptor) {
        if (descriptor == null) {
            meters.remove(siteSlashMeter);
        } else {
            meters.put(siteSlashMeter, descriptor);
        }
    }

    /** The site's region, or null while the site has no descriptor. */
    String region(String site) {
        return regionBySite.get(site);
    }

    /**
     * The receiver of {@code site}'s {@code out.reuse} flow of {@code material}: the site named by the
     * {@code to} of its out.reuse meters, several joined by {@code +} in name order (a flow window sums
     * all meters, so it cannot be split among them); null when no meter names one (reuse on site).
     */
    String receiver(String site, String material) {
        Set<String> receivers = new TreeSet<>();
        String prefix = site + "/";
        for (Map.Entry<String, MeterDescriptor> e : meters.entrySet()) {
            MeterDescriptor m = e.getValue();
            if (e.getKey().startsWith(prefix) && m.role() == Role.OUT_REUSE && material.equals(m.material()) && m.to() != null) {
                receivers.add(m.to());
            }
        }
        return receivers.isEmpty() ? null : String.join("+", receivers);
    }
}
