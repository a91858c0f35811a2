package io.loopflow.streams.http;

import io.loopflow.core.model.AlertRecord;
import io.loopflow.streams.http.EventStream.Event;
import io.loopflow.streams.http.JsonEndpoint.Answer;
import io.loopflow.streams.view.ActiveAlerts;
import io.loopflow.streams.view.LiveView;
import io.loopflow.streams.view.PipelineReport;
import io.loopflow.streams.view.WindowLength;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.http.pathmap.ServletPathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.PathMappingsHandler;

/**
 * The stream processor's HTTP API and the operators' live page, on an {@link EmbeddedHttpServer} (Jetty). Every
 * answer about the region comes from the {@link LiveView}, which reads LoopFlow's output topics whole on every
 * instance: whichever instance is asked answers for every site. README.md documents each endpoint:
 * <ul>
 *   <li>{@code GET /api/health}: {@code {"status":"UP"|"DOWN","state":"<KafkaStreams state>","view":"READY"|"LOADING"}},
 *       200 when up, 503 when down;</li>
 *   <li>{@code GET /api/kpis?scope=&site=&region=&material=&window=PT1H}: the latest key-figure record of every window
 *       (highest revision, provisional or final) that matches (see {@link KpiQuery});</li>
 *   <li>{@code GET /api/surplus}, {@code /api/matches}, {@code /api/alerts?active=true}: surplus, open matches, alerts;</li>
 *   <li>{@code GET /api/flows?last=PT1H} or {@code ?from=&to=}: the residue flows as Sankey diagrams (see {@link TimeRange});</li>
 *   <li>{@code GET /api/figures?last=|from=&to=}: key figures per site and region over that range;</li>
 *   <li>{@code GET /api/finals?window=PT1H&count=24&scope=&site=&region=&material=}: the recent finals, for trends;</li>
 *   <li>{@code GET /api/map}: sites, their surplus against the threshold, open matches;</li>
 *   <li>{@code GET /api/pipeline}: readings per second, rejections, consumer lag, broker drops;</li>
 *   <li>{@code GET /api/events}: server-sent events {@code hello} (every alert, at connection and when the view
 *       becomes ready), {@code alert} (each new alert as it is read), {@code pipeline} (every 2 s) and {@code figures}
 *       (flows, key figures or surplus changed);</li>
 *   <li>{@code GET /metrics}: the process's meters in the Prometheus text format;</li>
 *   <li>{@code GET /}: the live page; {@code /assets/*} and {@code /vendor/echarts/*} its files, from the jar.</li>
 * </ul>
 * Bad parameters get 400 with a message, unknown paths 404, other methods 405, a view still loading 503.
 */
public final class KpiHttpServer implements AutoCloseable {
    /** Trends show this many finals unless {@code count} says otherwise. */
    static final int DEFAULT_FINALS = 24;
    /** {@code count} of {@code /api/finals} at most. */
    static final int MAX_FINALS = 1000;

    /** The stream processor's own state, for {@code /api/health}. */
    public interface Health {
        /** The Kafka Streams state name, e.g. {@code RUNNING}. */
        String state();

        /** True when the processor counts as up. */
        boolean up();
    }

    private final EmbeddedHttpServer server;
    private final EventStream events;
    private final StaticFiles files;
    private final LiveView view;
    private final LiveView.Listener listener;

    private KpiHttpServer(EmbeddedHttpServer server, EventStream events, StaticFiles files, LiveView view, LiveView.Listener listener) {
        this.server = server;
        this.events = events;
        this.files = files;
        this.view = view;
        this.listener = listener;
    }

    /**
     * Starts the server on {@code host}:{@code port} (port 0: a free port; host {@code 0.0.0.0}: every interface) with
     * the limits of {@link EmbeddedHttpServer}.
     *
     * @param metrics the registry {@code /metrics} shows; null: {@code /metrics} answers 404
     * @throws java.io.UncheckedIOException when the address cannot be bound
     */
    public static KpiHttpServer start(String host, int port, Health health, LiveView view, PrometheusMeterRegistry metrics, Clock clock) {
        EventStream events = new EventStream(() -> List.of(hello(view)));
        LiveView.Listener listener = new LiveView.Listener() {
            @Override
            public void ready() {
                events.broadcast(hello(view));
            }

            @Override
            public void alert(AlertRecord alert) {
                events.broadcast(new Event("alert", alert));
            }

            @Override
            public void figuresChanged() {
                events.broadcast(new Event("figures", Map.of("changed", true)));
            }

            @Override
            public void pipeline(PipelineReport report) {
                events.broadcast(new Event("pipeline", report));
            }
        };
        view.addListener(listener);

        PathMappingsHandler routes = new PathMappingsHandler();
        routes.addMapping(exact("/api/health"), JsonEndpoint.of(request -> health(health, view)));
        routes.addMapping(exact("/api/kpis"), JsonEndpoint.of(request -> {
            KpiQuery q = KpiQuery.parse(JsonEndpoint.rawQuery(request));
            return Answer.ok(view.kpis(q.scope(), q.site(), q.region(), q.material(), q.window()));
        }));
        routes.addMapping(exact("/api/surplus"), JsonEndpoint.of(request -> {
            noParameters(request);
            return Answer.ok(view.surplus());
        }));
        routes.addMapping(exact("/api/matches"), JsonEndpoint.of(request -> {
            noParameters(request);
            return Answer.ok(ActiveAlerts.of(view.alerts()).stream().filter(a -> a.type() == AlertRecord.Type.MATCH).toList());
        }));
        routes.addMapping(exact("/api/alerts"), JsonEndpoint.of(request -> alerts(request, view)));
        routes.addMapping(exact("/api/flows"), JsonEndpoint.of(request -> {
            TimeRange r = TimeRange.parse(QueryParameters.parse(JsonEndpoint.rawQuery(request), TimeRange.PARAMETERS), clock);
            return Answer.ok(view.flows(r.from(), r.to()));
        }));
        routes.addMapping(exact("/api/figures"), JsonEndpoint.of(request -> {
            TimeRange r = TimeRange.parse(QueryParameters.parse(JsonEndpoint.rawQuery(request), TimeRange.PARAMETERS), clock);
            return Answer.ok(view.figures(r.from(), r.to()));
        }));
        routes.addMapping(exact("/api/finals"), JsonEndpoint.of(request -> finals(request, view)));
        routes.addMapping(exact("/api/map"), JsonEndpoint.of(request -> {
            noParameters(request);
            return Answer.ok(view.map());
        }));
        routes.addMapping(exact("/api/pipeline"), JsonEndpoint.of(request -> {
            noParameters(request);
            return Answer.ok(view.pipeline());
        }));
        routes.addMapping(exact("/api/events"), events);
        routes.addMapping(exact("/metrics"), metrics != null ? new PrometheusEndpoint(metrics) : JsonEndpoint.of(request -> {
            throw new NotFoundException("this process has no Prometheus registry");
        }));
        StaticFiles files = new StaticFiles();
        Handler all = new Handler.Sequence(routes, files.handlers(), JsonEndpoint.of(request -> {
            throw new NotFoundException("no endpoint " + request.getHttpURI().getPath());
        }));
        try {
            return new KpiHttpServer(EmbeddedHttpServer.start("loopflow-http", host, port, all), events, files, view, listener);
        } catch (RuntimeException e) {
            view.removeListener(listener);
            events.close();
            files.close();
            throw e;
        }
    }

    private static ServletPathSpec exact(String path) {
        return new ServletPathSpec(path);
    }

    /** The bound port. */
    public int port() {
        return server.port();
    }

    /** {@code http://<bound host>:<bound port>}. */
    public String url() {
        return server.url();
    }

    @Override
    public void close() {
        view.removeListener(listener);
        events.close();
        server.close();
        files.close();
    }

    private static Event hello(LiveView view) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ready", view.ready());
        body.put("alerts", view.ready() ? view.alerts() : List.of());
        return new Event("hello", body);
    }

    private static Answer health(Health health, LiveView view) {
        Map<String, String> body = new LinkedHashMap<>();
        boolean up = health.up();
        body.put("status", up ? "UP" : "DOWN");
        body.put("state", health.state());
        body.put("view", view.ready() ? "READY" : "LOADING");
        return new Answer(up ? 200 : 503, body);
    }

    private static void noParameters(Request request) {
        QueryParameters.parse(JsonEndpoint.rawQuery(request), Set.of());
    }

    /** {@code /api/alerts}: every alert, or with {@code active=true} only those not yet cleared or closed. */
    private static Answer alerts(Request request, LiveView view) {
        String active = QueryParameters.parse(JsonEndpoint.rawQuery(request), Set.of("active")).getOrNull("active");
        if (active != null && !active.equals("true") && !active.equals("false")) {
            throw new BadParameterException("active must be true or false, got '" + active + "'");
        }
        return Answer.ok("true".equals(active) ? ActiveAlerts.of(view.alerts()) : view.alerts());
    }

    /** {@code /api/finals}: per scope, id and material the last {@code count} finals of {@code window}. */
    private static Answer finals(Request request, LiveView view) {
        QueryParameters p = QueryParameters.parse(JsonEndpoint.rawQuery(request), Set.of("window", "count", "scope", "site", "region", "material"));
        String window = p.get("window").orElse("PT1H");
        if (!WindowLength.valid(window)) {
            throw new BadParameterException("window must be an ISO-8601 length such as PT1H, P1D or P1M, got '" + window + "'");
        }
        int count;
        String c = p.get("count").orElse(String.valueOf(DEFAULT_FINALS));
        try {
            count = Integer.parseInt(c);
        } catch (NumberFormatException e) {
            throw new BadParameterException("count must be a whole number from 1 to " + MAX_FINALS + ", got '" + c + "'", e);
        }
        if (count < 1 || count > MAX_FINALS) {
            throw new BadParameterException("count must be a whole number from 1 to " + MAX_FINALS + ", got " + count);
        }
        String scope = p.getOrNull("scope");
        if (scope != null && !scope.equals("site") && !scope.equals("region")) {
            throw new BadParameterException("scope must be site or region, got '" + scope + "'");
        }
        return Answer.ok(view.finals(window, count, scope, p.getOrNull("site"), p.getOrNull("region"), p.getOrNull("material")));
    }
}
