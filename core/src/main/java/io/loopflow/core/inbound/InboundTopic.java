package io.loopflow.core.inbound;

import io.loopflow.core.Ids;
import io.loopflow.core.RejectReason;
import io.loopflow.core.ValidationException;

/**
 * An inbound MQTT topic of CONTRACT.md section 2, parsed and with its ids validated.
 * {@code loopflow/v1/materials/{material}} is always a material descriptor, so {@code materials}
 * cannot be a site id (it would make {@code loopflow/v1/materials/site} ambiguous).
 */
public record InboundTopic(Type type, String site, String meter, String material) {

    /** The five inbound topic shapes. */
    public enum Type { SITE, METER, READING, DEMAND, MATERIAL }

    public static final String PREFIX = "loopflow/v1/";
    /** The reading filter, to be prefixed with {@code $share/<group>/} by gateways that split the load. */
    public static final String READINGS_FILTER = "loopflow/v1/+/meters/+/reading";
    /** Descriptor filters, read through an ordinary subscription so that retained messages arrive (MQTT 5, 4.8.2). */
    public static final String[] DESCRIPTOR_FILTERS = {
        "loopflow/v1/+/site", "loopflow/v1/+/meters/+/meta", "loopflow/v1/+/demands/+", "loopflow/v1/materials/+"
    };

    /** Every topic under {@code loopflow/v1/}: inbound, misspelt and the alerts alike. */
    public static final String ALL_FILTER = "loopflow/v1/#";

    /** The outbound alert topic of a site (CONTRACT.md section 6). */
    public static String alerts(String site) {
        return PREFIX + site + "/alerts";
    }

    /** The reading topic of a meter. */
    public static String reading(String site, String meter) {
        return PREFIX + site + "/meters/" + meter + "/reading";
    }

    /** The retained meter descriptor topic. */
    public static String meterMeta(String site, String meter) {
        return PREFIX + site + "/meters/" + meter + "/meta";
    }

    /** The retained site descriptor topic. */
    public static String siteMeta(String site) {
        return PREFIX + site + "/site";
    }

    /** The retained demand descriptor topic. */
    public static String demand(String site, String material) {
        return PREFIX + site + "/demands/" + material;
    }

    /** The retained material descriptor topic. */
    public static String material(String material) {
        return PREFIX + "materials/" + material;
    }

    /**
     * True for an outbound alert topic {@code loopflow/v1/{site}/alerts} (CONTRACT.md section 6), the one
     * shape under {@code loopflow/v1/} that is not inbound. {@code loopflow/v1/materials/alerts} is the
     * material descriptor of material {@code alerts}, not an alert topic.
     */
    public static boolean isAlerts(String topic) {
        if (topic == null || !topic.startsWith(PREFIX)) {
            return false;
        }
        String[] p = topic.substring(PREFIX.length()).split("/", -1);
        return p.length == 2 && p[1].equals("alerts") && !p[0].equals("materials");
    }

    /**
     * Parses an inbound topic.
     *
     * @throws ValidationException {@code invalid_field} for an unknown shape or an invalid id
     */
    public static InboundTopic parse(String topic) {
        if (topic == null || !topic.startsWith(PREFIX)) {
            throw unknown(topic);
        }
        String[] p = topic.substring(PREFIX.length()).split("/", -1);
        if (p.length == 2 && p[0].equals("materials")) {
            return new InboundTopic(Type.MATERIAL, null, null, Ids.require("material", p[1]));
        }
        if (p.length == 2 && p[1].equals("site")) {
            return new InboundTopic(Type.SITE, site(p[0]), null, null);
        }
        if (p.length == 4 && p[1].equals("meters") && p[3].equals("meta")) {
            return new InboundTopic(Type.METER, site(p[0]), Ids.require("meter", p[2]), null);
        }
        if (p.length == 4 && p[1].equals("meters") && p[3].equals("reading")) {
            return new InboundTopic(Type.READING, site(p[0]), Ids.require("meter", p[2]), null);
        }
        if (p.length == 3 && p[1].equals("demands")) {
            return new InboundTopic(Type.DEMAND, site(p[0]), null, Ids.require("material", p[2]));
        }
        throw unknown(topic);
    }

    private static String site(String id) {
        if ("materials".equals(id)) {
            throw new ValidationException(RejectReason.INVALID_FIELD, "'materials' is reserved and cannot be a site id");
        }
        return Ids.require("site", id);
    }

    private static ValidationException unknown(String topic) {
        return new ValidationException(RejectReason.INVALID_FIELD, "not a LoopFlow v1 inbound topic: " + topic
                + " (expected loopflow/v1/{site}/site, loopflow/v1/{site}/meters/{meter}/meta, "
                + "loopflow/v1/{site}/meters/{meter}/reading, loopflow/v1/{site}/demands/{material} or "
                + "loopflow/v1/materials/{material})");
    }

    /** The Kafka key of the descriptor or reading: {@code site}, {@code site/meter}, {@code site/material} or {@code material}. */
    public String key() {
        return switch (type) {
            case SITE -> site;
            case METER, READING -> site + "/" + meter;
            case DEMAND -> site + "/" + material;
            case MATERIAL -> material;
        };
    }
}
