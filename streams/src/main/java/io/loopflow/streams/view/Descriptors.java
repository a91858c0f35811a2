package io.loopflow.streams.view;

import io.loopflow.core.model.DemandDescriptor;
import io.loopflow.core.model.MaterialDescriptor;
import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.SiteDescriptor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The descriptors of the compacted topics {@code loopflow.sites}, {@code loopflow.meters},
 * {@code loopflow.materials} and {@code loopflow.demands}, as the view has read them: a null value deletes.
 * Keyed by the contract's descriptor keys (section 6: the id path; ids never contain {@code /}), the only
 * place a view reads a key, since a deletion has no value to read fields from. Thread-safe.
 */
final class Descriptors {
    /** A meter of a site. */
    record Meter(String site, String meter, MeterDescriptor descriptor) {
    }

    /** A demand of a site. */
    record Demand(String site, String material, DemandDescriptor descriptor) {
    }

    private final Map<String, SiteDescriptor> sites = new TreeMap<>();
    private final Map<String, MeterDescriptor> meters = new TreeMap<>();
    private final Map<String, MaterialDescriptor> materials = new TreeMap<>();
    private final Map<String, DemandDescriptor> demands = new TreeMap<>();

    synchronized void site(String id, SiteDescriptor d) {
        put(sites, id, d);
    }

    synchronized void meter(String siteSlashMeter, MeterDescriptor d) {
        put(meters, siteSlashMeter, d);
    }

    synchronized void material(String id, MaterialDescriptor d) {
        put(materials, id, d);
    }

    synchronized void demand(String siteSlashMaterial, DemandDescriptor d) {
        put(demands, siteSlashMaterial, d);
    }

    private static <V> void put(Map<String, V> map, String key, V value) {
        if (value == null) {
            map.remove(key);
        } else {
            map.put(key, value);
        }
    }

    synchronized Map<String, SiteDescriptor> sites() {
        return new TreeMap<>(sites);
    }

    synchronized Optional<SiteDescriptor> site(String id) {
        return Optional.ofNullable(sites.get(id));
    }

    synchronized Map<String, MaterialDescriptor> materials() {
        return new HashMap<>(materials);
    }

    synchronized List<Meter> meters() {
        return meters.entrySet().stream().map(e -> {
            String[] parts = splitPair(e.getKey());
            return new Meter(parts[0], parts[1], e.getValue());
        }).toList();
    }

    synchronized List<Demand> demands() {
        return demands.entrySet().stream().map(e -> {
            String[] parts = splitPair(e.getKey());
            return new Demand(parts[0], parts[1], e.getValue());
        }).toList();
    }

    /** The two ids of a {@code a/b} descriptor key; a key without {@code /} gives an empty second id. */
    private static String[] splitPair(String key) {
        int slash = key.indexOf('/');
        return slash < 0 ? new String[] {key, ""} : new String[] {key.substring(0, slash), key.substring(slash + 1)};
    }

    /** The display name of a site: its descriptor's name, else its id. */
    synchronized String siteName(String id) {
        SiteDescriptor d = sites.get(id);
        return d == null || d.name() == null || d.name().isBlank() ? id : d.name();
    }

    /** The display name of a material: its descriptor's name, else its id. */
    synchronized String materialName(String id) {
        MaterialDescriptor d = materials.get(id);
        return d == null || d.name() == null || d.name().isBlank() ? id : d.name();
    }
}
