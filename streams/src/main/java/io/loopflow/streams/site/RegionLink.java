package io.loopflow.streams.site;

import io.loopflow.streams.region.RegionEvent;
import io.loopflow.streams.window.Frontier;
import java.util.Objects;

/**
 * Tells a site's region how far the site has come for a material, so that the region never closes
 * a window this site may still add to (see {@code RegionProcessor}). A frontier that went down (a
 * meter registered or woke up) is sent at once; one that went up only on punctuations, after the
 * finals of the windows it closed, so it never overtakes them. A site new to its region is first
 * announced as waiting; a site that changed region (or lost its descriptor) leaves the old one.
 * The progress last sent is kept in {@link SiteMaterialState}.
 */
final class RegionLink {
    private final SiteOutputs out;

    RegionLink(SiteOutputs out) {
        this.out = out;
    }

    /** Sends {@code frontier} (or what may be sent of it now) for the site and material, if it changed. */
    void sendProgress(String site, String material, String region, SiteMaterialState s, long frontier, boolean mayRise, long now) {
        if (s.sent && !Objects.equals(s.sentRegion, region)) {
            out.toRegion(RegionEvent.leave(s.sentRegion, site, material), now);
            s.sent = false;
            s.sentRegion = null;
        }
        if (region == null) {
            return;
        }
        long send;
        if (mayRise) {
            send = frontier;
        } else if (!s.sent) {
            // Not yet known to the region, and this site's finals of this check are not out yet: hold the region.
            send = Frontier.WAITING;
        } else {
            send = Math.min(frontier, s.sentFrontier);
        }
        if (!s.sent || send != s.sentFrontier) {
            out.toRegion(RegionEvent.progress(region, site, material, send), now);
            s.sent = true;
            s.sentRegion = region;
            s.sentFrontier = send;
        }
    }
}
