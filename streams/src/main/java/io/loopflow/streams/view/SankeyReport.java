package io.loopflow.streams.view;

import io.loopflow.core.model.MeterDescriptor;
import io.loopflow.core.model.Role;
import io.loopflow.core.units.Unit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The region's residue flows of a time range as Sankey diagrams, one per canonical unit (t, MWh and m3 are never
 * added together): sites -> materials -> destinations. Pure: built from the flow totals of {@link FlowStore} and
 * the descriptors.
 *
 * <p>A destination is, for {@code out.reuse}, the site named in the {@code to} of the site's meters of that
 * material and role ({@code Reuse} when they name none), and for the other residue roles the role itself
 * ({@code Energy recovery}, {@code Disposal}, {@code Storage}). {@code loopflow.flows} sums a site's meters by
 * role, so when the {@code out.reuse} meters of one site and material name several sites, the total is divided
 * among them in proportion to what each of them metered as {@code in.secondary} of that material in the same
 * range ({@code split: receivers}) when every one of them did; otherwise the flow goes to one node naming them all
 * ({@code split: combined}). A single destination is {@code split: meter}. {@code in.*} and {@code out.product}
 * are not residue flows and are left out.
 */
public final class SankeyReport {
    /**
     * A node: {@code kind} is {@code site}, {@code material} or {@code destination}; {@code column} 0, 1 or 2;
     * {@code value} what flows through it.
     */
    public record Node(String id, String label, String kind, int column, double value) {
    }

    /** A link between two nodes, in the diagram's unit. */
    public record Link(String source, String target, double value) {
    }

    /**
     * One residue flow of a site and material to a destination: the sum of {@code windows} flow windows, of which
     * {@code provisional} are not final yet.
     */
    public record Flow(String site, String material, String role, String destination, String destinationLabel, double quantity,
                       int windows, int provisional, String split) {
    }

    /** The diagram of one unit. */
    public record Diagram(String dimension, String unit, List<Node> nodes, List<Link> links, List<Flow> flows) {
    }

    /**
     * The diagrams of [{@code from}, {@code to}): the flow windows that start in it; {@code provisional} when one
     * of them is not final yet; {@code keptSince}: windows whose figures were written before it are no longer kept.
     */
    public record Sankey(Instant from, Instant to, Instant keptSince, boolean provisional, List<Diagram> diagrams) {
    }

    private static final Map<Role, String[]> CATEGORIES = Map.of(
            Role.OUT_REUSE, new String[] {"reuse", "Reuse"},
            Role.OUT_RECOVERY, new String[] {"recovery", "Energy recovery"},
            Role.OUT_DISPOSAL, new String[] {"disposal", "Disposal"},
            Role.OUT_STORAGE, new String[] {"storage", "Storage"});

    private SankeyReport() {
    }

    static Sankey build(Instant from, Instant to, Instant keptSince, List<FlowStore.Total> totals, List<Descriptors.Meter> meters,
                        Function<String, String> siteName, Function<String, String> materialName) {
        Map<List<String>, Set<String>> destinationsOf = new HashMap<>();
        for (Descriptors.Meter m : meters) {
            MeterDescriptor d = m.descriptor();
            if (d.role() == Role.OUT_REUSE) {
                destinationsOf.computeIfAbsent(List.of(m.site(), d.material()), k -> new TreeSet<>()).add(d.to() == null ? "" : d.to());
            }
        }
        Map<List<String>, Double> received = new HashMap<>();
        totals.stream().filter(t -> t.role() == Role.IN_SECONDARY)
                .forEach(t -> received.merge(List.of(t.site(), t.material(), t.unit()), t.quantity(), Double::sum));

        Map<String, List<Flow>> flowsByUnit = new TreeMap<>();
        boolean provisional = false;
        for (FlowStore.Total t : totals) {
            if (!CATEGORIES.containsKey(t.role())) {
                continue;
            }
            provisional |= t.provisional() > 0;
            List<Flow> flows = flowsByUnit.computeIfAbsent(t.unit(), u -> new ArrayList<>());
            Set<String> dests = t.role() == Role.OUT_REUSE ? destinationsOf.getOrDefault(List.of(t.site(), t.material()), Set.of()) : Set.of();
            if (dests.size() <= 1) {
                String dest = dests.isEmpty() || dests.iterator().next().isEmpty() ? null : dests.iterator().next();
                flows.add(flow(t, dest == null ? category(t.role())[0] : dest, dest == null ? category(t.role())[1] : siteName.apply(dest),
                        t.quantity(), "meter"));
                continue;
            }
            double[] shares = new double[dests.size()];
            double sum = 0;
            boolean allReceived = !dests.contains("");
            int i = 0;
            for (String d : dests) {
                Double q = received.get(List.of(d, t.material(), t.unit()));
                allReceived &= q != null && q > 0;
                shares[i] = q == null ? 0 : q;
                sum += shares[i++];
            }
            if (allReceived) {
                i = 0;
                for (String d : dests) {
                    flows.add(flow(t, d, siteName.apply(d), t.quantity() * shares[i++] / sum, "receivers"));
                }
            } else {
                List<String> labels = dests.stream().map(d -> d.isEmpty() ? category(Role.OUT_REUSE)[1] : siteName.apply(d)).toList();
                flows.add(flow(t, String.join("+", dests.stream().map(d -> d.isEmpty() ? category(Role.OUT_REUSE)[0] : d).toList()),
                        String.join(" / ", labels), t.quantity(), "combined"));
            }
        }

        List<Diagram> diagrams = new ArrayList<>();
        flowsByUnit.forEach((unit, flows) -> diagrams.add(diagram(unit, flows, siteName, materialName)));
        return new Sankey(from, to, keptSince, provisional, diagrams);
    }

    private static String[] category(Role role) {
        return CATEGORIES.get(role);
    }

    private static Flow flow(FlowStore.Total t, String destination, String label, double quantity, String split) {
        return new Flow(t.site(), t.material(), t.role().wire(), destination, label, quantity, t.windows(), t.provisional(), split);
    }

    private static Node plus(Node a, Node b) {
        return new Node(a.id(), a.label(), a.kind(), a.column(), a.value() + b.value());
    }

    private static Diagram diagram(String unit, List<Flow> flows, Function<String, String> siteName, Function<String, String> materialName) {
        Map<String, Node> nodes = new LinkedHashMap<>();
        Map<List<String>, Double> links = new LinkedHashMap<>();
        flows.sort((a, b) -> a.site().equals(b.site()) ? a.material().compareTo(b.material()) : a.site().compareTo(b.site()));
        for (Flow f : flows) {
            if (!(f.quantity() > 0)) {
                continue;
            }
            String site = "site:" + f.site();
            String material = "material:" + f.material();
            String dest = "dest:" + f.destination();
            nodes.merge(site, new Node(site, siteName.apply(f.site()), "site", 0, f.quantity()), SankeyReport::plus);
            nodes.merge(material, new Node(material, materialName.apply(f.material()), "material", 1, f.quantity()), SankeyReport::plus);
            nodes.merge(dest, new Node(dest, f.destinationLabel(), "destination", 2, f.quantity()), SankeyReport::plus);
            links.merge(List.of(site, material), f.quantity(), Double::sum);
            links.merge(List.of(material, dest), f.quantity(), Double::sum);
        }
        List<Node> ordered = new ArrayList<>();
        for (int column = 0; column < 3; column++) {
            int c = column;
            nodes.values().stream().filter(n -> n.column() == c).forEach(ordered::add);
        }
        List<Link> linkList = new ArrayList<>();
        links.forEach((k, v) -> linkList.add(new Link(k.get(0), k.get(1), v)));
        String dimension = Unit.ofSymbol(unit).map(u -> u.dimension().wire()).orElse(unit);
        return new Diagram(dimension, unit, ordered, linkList, flows);
    }
}
