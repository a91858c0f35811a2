package io.loopflow.dashboards;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What each panel query must return for {@link Scenario}, with the selections of
 * {@link DashboardQueriesIT} (region kalundborg; site asnaes on the site dashboard; material gypsum; window
 * PT1H), time range base-1h .. base+2h, interval 1h. Derived from the scenario by hand; comments give the
 * arithmetic. {@code +Nm}: the time bucket, minutes after base. Every figure of asnaes's hour {@code base} is
 * the restated one (the ticket's 4 t in: out.reuse 14, not 10), never the revision-0 figure nor the two added.
 */
final class Expected {
    private Expected() {
    }

    static Map<String, List<String>> panels() {
        Map<String, List<String>> e = new TreeMap<>();
        // Region kalundborg, all its sites (asnaes, gyproc; arla is in aarhus), gypsum.
        // asnaes, restated: R = reuse 14 + disposal 2 + storage 2 = 18 -> recycling 14/18, landfill 2/18; no input -> no
        // circular rate. Its running hour (+60m) has no rate yet: no value. gyproc: no residues -> no recycling/landfill
        // rate; circular 10 / (30 + 10).
        e.put("loopflow-region / Recycling rate / A", List.of("loopflow_kpi{material=gypsum,site=asnaes} +0m last=0.777778"));
        e.put("loopflow-region / Landfill rate / A", List.of("loopflow_kpi{material=gypsum,site=asnaes} +0m last=0.111111"));
        e.put("loopflow-region / Circular input rate / A", List.of("loopflow_kpi{material=gypsum,site=gyproc} +0m last=0.25"));
        e.put("loopflow-region / Regional key figures / A",
                List.of("loopflow_kpi{material=gypsum,region=kalundborg} +0m recycling=0.777778 landfill=0.111111 circular input=0.25"));
        // out.reuse 6 (final, overwriting the provisional 3) + 8 (restated, overwriting the 4 of revision 0), asnaes -> gyproc
        e.put("loopflow-region / Exchanges between sites / A", List.of("loopflow_exchange{material=gypsum,receiver=gyproc,site=asnaes,unit=t} quantity=14"));
        // the same edge for the node graph, its columns named as Grafana's node graph reads them (arla's, in aarhus, left out)
        e.put("loopflow-region / Exchange network / edges",
                List.of("loopflow_exchange source=asnaes target=gyproc mainstat=14 secondarystat=gypsum detail__unit=t"));
        e.put("loopflow-region / Totals by role / A", List.of(
                "loopflow_flow{role=in.secondary,unit=t} sum=10",
                "loopflow_flow{role=in.virgin,unit=t} sum=30",
                "loopflow_flow{role=out.disposal,unit=t} sum=2",
                "loopflow_flow{role=out.reuse,unit=t} sum=14",
                "loopflow_flow{role=out.storage,unit=t} sum=2"));

        // Site asnaes, gypsum: all flows in the first hour bucket.
        e.put("loopflow-site / Flows by role / A", List.of(
                "loopflow_flow{material=gypsum,role=out.disposal,unit=t} +0m sum=2",
                "loopflow_flow{material=gypsum,role=out.reuse,unit=t} +0m sum=14",
                "loopflow_flow{material=gypsum,role=out.storage,unit=t} +0m sum=2"));
        // surplus 80 at +30m, 95 at +60m, carried forward; threshold 50 from the surplus alert at +30m
        e.put("loopflow-site / Stock against threshold / A", List.of(
                "loopflow_surplus{material=gypsum,unit=t} +0m last=80",
                "loopflow_surplus{material=gypsum,unit=t} +60m last=95",
                "loopflow_surplus{material=gypsum,unit=t} +120m last=95"));
        e.put("loopflow-site / Stock against threshold / B", List.of(
                "loopflow_alert{material=gypsum} +0m last=50",
                "loopflow_alert{material=gypsum} +60m last=50",
                "loopflow_alert{material=gypsum} +120m last=50"));
        // the latest window of each length, every column from that one point; series in tag order (P1D, P1M, PT1H).
        // P1D: R = 24 + 4 + 6 = 34 -> 24/34, 4/34. P1M (the month so far, outside the time range, within 32 days):
        // R = 300 + 40 + 60 = 400 -> 0.75, 0.1. PT1H: the running hour +60m, no rate yet (the restated hour's 0.777778
        // must not stand next to its zeros).
        e.put("loopflow-site / Key figures by window / A", List.of(
                "loopflow_kpi{material=gypsum,unit=t,window=P1D} revision=0 final=false recycling=0.705882 landfill=0.117647 out.reuse=24 out.disposal=4 out.storage=6 in.virgin=0 in.secondary=0",
                "loopflow_kpi{material=gypsum,unit=t,window=P1M} revision=0 final=false recycling=0.75 landfill=0.1 out.reuse=300 out.disposal=40 out.storage=60 in.virgin=0 in.secondary=0",
                "loopflow_kpi{material=gypsum,unit=t,window=PT1H} revision=0 final=false out.reuse=0 out.disposal=0 out.storage=0 in.virgin=0 in.secondary=0"));
        e.put("loopflow-site / Key figures over time / A", List.of("loopflow_kpi{material=gypsum} +0m recycling=0.777778 landfill=0.111111"));
        // the restated hour of asnaes: its start, its length, the corrected figures, revision 1 (the region's is not a site's)
        e.put("loopflow-site / Restated windows / A", List.of(
                "loopflow_kpi{material=gypsum,unit=t,window=PT1H} +0m revision=1 recycling=0.777778 landfill=0.111111 out.reuse=14 out.disposal=2 out.storage=2 in.virgin=0 in.secondary=0"));

        // Region kalundborg, all sites and materials: arla's surplus (aarhus) is not shown.
        e.put("loopflow-surplus / Active surplus / A", List.of("loopflow_surplus{material=gypsum,site=asnaes,unit=t} available=95 rate per hour=3 source=stock"));
        // the arla match was closed at +40m (open 0, hidden by the panel's filter); gyproc's is open
        e.put("loopflow-surplus / Open matches / A", List.of(
                "loopflow_alert{counterpart=arla,material=gypsum,site=asnaes} open=0 available=80 wanted=60 distance_km=180.2",
                "loopflow_alert{counterpart=gyproc,material=gypsum,site=asnaes} open=1 available=80 wanted=40 distance_km=12.5"));
        e.put("loopflow-surplus / Surplus available / A", List.of(
                "loopflow_surplus{material=gypsum,site=asnaes,unit=t} +0m last=80",
                "loopflow_surplus{material=gypsum,site=asnaes,unit=t} +60m last=95",
                "loopflow_surplus{material=gypsum,site=asnaes,unit=t} +120m last=95"));
        e.put("loopflow-surplus / Alert history / A", List.of(
                "loopflow_alert +30m type=surplus.available site=asnaes material=gypsum available=80 threshold=50 message=80 t of gypsum available at asnaes",
                "loopflow_alert +31m type=match site=asnaes counterpart=gyproc material=gypsum available=80 threshold=40 distance_km=12.5 message=asnaes can supply gyproc",
                "loopflow_alert +32m type=match site=asnaes counterpart=arla material=gypsum available=80 threshold=60 distance_km=180.2 message=asnaes can supply arla",
                "loopflow_alert +40m type=match.closed site=asnaes counterpart=arla material=gypsum message=arla no longer wants gypsum"));

        // 120 + 60 + 20 accepted in the first hour: 200 / 3600 s
        e.put("loopflow-pipeline / Readings per second / A", List.of(
                "loopflow_ingest -60m accepted=0", "loopflow_ingest +0m accepted=0.055556", "loopflow_ingest +60m accepted=0", "loopflow_ingest +120m accepted=0"));
        // 2 invalid_field and 3 late in the first hour, per second
        e.put("loopflow-pipeline / Rejections by reason / A", List.of(
                "loopflow_ingest{reason=invalid_field} -60m sum=0", "loopflow_ingest{reason=invalid_field} +0m sum=0.000556",
                "loopflow_ingest{reason=invalid_field} +60m sum=0", "loopflow_ingest{reason=invalid_field} +120m sum=0",
                "loopflow_ingest{reason=late} -60m sum=0", "loopflow_ingest{reason=late} +0m sum=0.000833",
                "loopflow_ingest{reason=late} +60m sum=0", "loopflow_ingest{reason=late} +120m sum=0"));
        // per group and topic, the last sample of each partition in the hour, summed: readings p0 12 (after 5) + p1 3
        e.put("loopflow-pipeline / Consumer lag by group / A", List.of(
                "loopflow_consumer_lag{group=loopflow-sink,topic=loopflow.kpis} +0m lag=0",
                "loopflow_consumer_lag{group=loopflow-streams,topic=loopflow.readings} +0m lag=15",
                "loopflow_consumer_lag{group=loopflow-streams-surplus,topic=loopflow.flows} +0m lag=2"));
        // gyproc resolved (open 0, hidden by the panel's filter; detail from the first finding), novo-nordisk open
        e.put("loopflow-pipeline / Data-quality issues / A", List.of(
                "loopflow_dataquality{issue=no_coordinates,material=gypsum,site=gyproc} open=0 detail=gyproc has no lat/lon",
                "loopflow_dataquality{issue=no_coordinates,material=steam,site=novo-nordisk} open=1 detail=novo-nordisk has no lat/lon"));
        e.put("loopflow-pipeline / Totals / A", List.of("loopflow_ingest{outcome=accepted} sum=200", "loopflow_ingest{outcome=rejected} sum=5"));
        return e;
    }
}
