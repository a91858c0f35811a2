package io.loopflow.ingest;

import io.loopflow.core.inbound.InboundTopic;
import java.util.List;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * What a gateway subscribes to, and which of the copies the broker delivers it processes.
 *
 * <p>The gateway must see every message under {@code loopflow/v1/} except the alerts it publishes itself
 * (CONTRACT.md sections 3 and 7): a reading on a misspelt topic ({@code .../readings}, {@code .../meter/...})
 * is rejected as {@code invalid_field} with the topic in its detail, instead of being acknowledged by the
 * broker to no one (PUBACK 0x10). Two subscriptions, each in its own SUBSCRIBE with its own MQTT 5
 * subscription identifier, do it:
 * <ol>
 *   <li>{@value #DESCRIPTORS_ID}, {@link InboundTopic#DESCRIPTOR_FILTERS}, ordinary, on every gateway, retain handling 0
 *       (send retained messages at every subscribe): MQTT 5 sends no retained message to a shared
 *       subscription, and descriptors retained before a gateway started must reach it. Every gateway
 *       writes each descriptor, and again at every (re)connect: the compacted topics absorb the repeats.</li>
 *   <li>{@value #INBOUND_ID}, {@link GatewayConfig#inboundSubscription()}, {@code $share/<group>/loopflow/v1/#}
 *       (ordinary {@code loopflow/v1/#} for a gateway alone), retain handling 2 (never send retained messages
 *       at subscribe): readings and everything else, split between the gateways of the group, so that a
 *       reading or a misspelt topic is seen once per group. A reading published with the retain flag is
 *       delivered once, live, and never again at a resubscribe or to a new session, so it is counted once.</li>
 * </ol>
 * The two overlap on descriptor topics, and the alerts of {@code loopflow/v1/{site}/alerts} match the second.
 * Whether a broker sends one copy carrying both identifiers (HiveMQ, for one client's ordinary subscriptions)
 * or a copy per subscription (a shared subscription's copy goes to one member of the group), {@link #route}
 * processes a message exactly once per gateway for a descriptor and once per group for anything else: a
 * descriptor only through subscription {@value #DESCRIPTORS_ID}, anything else only through
 * {@value #INBOUND_ID}; other copies and alerts are acknowledged and ignored.
 *
 * <p>Gateways before this design read readings through {@code [$share/<group>/]loopflow/v1/+/meters/+/reading}
 * ({@link #legacyFilter}), which a persistent session keeps: the gateway unsubscribes it after subscribing, or
 * every reading would come twice. A message without any subscription identifier can only come from it (queued
 * before the upgrade) and is processed. (On HiveMQ, readings still queued for the old shared subscription when
 * the last gateway of a group unsubscribes it are not delivered any more: upgrade while the queue is drained.)
 */
final class GatewaySubscriptions {
    /** Subscription identifier of the ordinary descriptor subscription. */
    static final int DESCRIPTORS_ID = 1;
    /** Subscription identifier of the (shared) subscription to everything under {@code loopflow/v1/}. */
    static final int INBOUND_ID = 2;

    /** What to do with a delivered message. */
    enum Route {
        /** Decode it and write its records. */
        PROCESS,
        /** A second copy of a message that the other subscription delivers to be processed: acknowledge only. */
        OTHER_COPY,
        /** An alert of {@code loopflow/v1/{site}/alerts}, LoopFlow's own output: acknowledge only. */
        ALERT
    }

    private static final int QOS = 1;
    private static final int SEND_RETAINED_AT_SUBSCRIBE = 0;
    private static final int NEVER_SEND_RETAINED = 2;

    private final String inboundFilter;
    private final String legacyFilter;

    GatewaySubscriptions(GatewayConfig config) {
        this.inboundFilter = config.inboundSubscription();
        this.legacyFilter = config.shareGroup().isEmpty() ? InboundTopic.READINGS_FILTER
                : "$share/" + config.shareGroup() + "/" + InboundTopic.READINGS_FILTER;
    }

    /** The descriptor filters, subscribed with identifier {@value #DESCRIPTORS_ID}. */
    MqttSubscription[] descriptors() {
        MqttSubscription[] subs = new MqttSubscription[InboundTopic.DESCRIPTOR_FILTERS.length];
        for (int i = 0; i < subs.length; i++) {
            subs[i] = new MqttSubscription(InboundTopic.DESCRIPTOR_FILTERS[i], QOS);
            subs[i].setRetainHandling(SEND_RETAINED_AT_SUBSCRIBE);
        }
        return subs;
    }

    /** Everything under {@code loopflow/v1/}, subscribed with identifier {@value #INBOUND_ID}. */
    MqttSubscription[] inbound() {
        MqttSubscription sub = new MqttSubscription(inboundFilter, QOS);
        sub.setRetainHandling(NEVER_SEND_RETAINED);
        return new MqttSubscription[] {sub};
    }

    /** The readings filter of earlier gateways, unsubscribed after each subscribe. */
    String legacyFilter() {
        return legacyFilter;
    }

    /** SUBSCRIBE properties carrying one subscription identifier. */
    static MqttProperties withIdentifier(int id) {
        MqttProperties p = new MqttProperties();
        p.setSubscriptionIdentifier(id);
        return p;
    }

    /**
     * What to do with a message that arrived on {@code topic} through the subscriptions {@code ids} (the
     * subscription identifiers of its PUBLISH).
     */
    static Route route(String topic, List<Integer> ids) {
        if (InboundTopic.isAlerts(topic)) {
            return Route.ALERT;
        }
        if (ids.isEmpty()) {
            return Route.PROCESS;
        }
        int owner = isDescriptorTopic(topic) ? DESCRIPTORS_ID : INBOUND_ID;
        return ids.contains(owner) ? Route.PROCESS : Route.OTHER_COPY;
    }

    /** True when {@code topic} matches a descriptor filter, i.e. subscription {@value #DESCRIPTORS_ID} delivers it too. */
    static boolean isDescriptorTopic(String topic) {
        for (String filter : InboundTopic.DESCRIPTOR_FILTERS) {
            if (matches(filter, topic)) {
                return true;
            }
        }
        return false;
    }

    /**
     * MQTT matching of a filter whose only wildcard is {@code +} (MQTT 5, 4.7): {@code +} matches exactly one
     * level, an empty one included. Exact, because a topic taken for a descriptor that the descriptor
     * subscription does not deliver would be ignored on the copy that does arrive.
     */
    static boolean matches(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        if (f.length != t.length) {
            return false;
        }
        for (int i = 0; i < f.length; i++) {
            if (!f[i].equals("+") && !f[i].equals(t[i])) {
                return false;
            }
        }
        return true;
    }
}
