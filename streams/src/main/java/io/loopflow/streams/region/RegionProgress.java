package io.loopflow.streams.region;

import java.util.Map;
import java.util.TreeMap;

/**
 * Per region and material, in store {@code loopflow-region-progress}: each site's last reported
 * frontier (see {@link RegionEvent}).
 */
public record RegionProgress(Map<String, Long> frontiers) {

    public static final RegionProgress NONE = new RegionProgress(Map.of());

    public RegionProgress {
        frontiers = new TreeMap<>(frontiers);
    }

    RegionProgress without(String site) {
        Map<String, Long> next = new TreeMap<>(frontiers);
        next.remove(site);
        return new RegionProgress(next);
    }

    RegionProgress with(String site, long frontier) {
        Map<String, Long> next = new TreeMap<>(frontiers);
        next.put(site, frontier);
        return new RegionProgress(next);
    }
}
