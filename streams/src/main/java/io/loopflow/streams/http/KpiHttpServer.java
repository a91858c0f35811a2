package io.loopflow.streams.http;

import io.loopflow.core.model.AlertRecord;
import io.loopflow.core.model.KpiRecord;
import io.loopflow.core.model.SurplusRecord;
import io.loopflow.streams.http.JsonEndpoint.Answer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.http.pathmap.ServletPathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.PathMappingsHandler;

/**
 * The stream processor's HTTP API, on an {@link EmbeddedHttpServer} (Jetty):
 * <ul>
 *   <li>{@code GET /api/health}: {@code {"status":"UP"|"DOWN","state":"<KafkaStreams state>"}},
 *       HTTP 200 when up, 503 when down;</li>
 *   <li>{@code GET /api/kpis?scope=&site=&region=&material=&window=PT1H}: a JSON array of the
 *       latest {@link KpiRecord} per key (provisional or final) that match (see {@link KpiQuery});
 *       400 on a bad parameter, 503 while the store is not queryable (e.g. rebalancing).</li>
 *   <li>{@code GET /api/surplus}: the latest {@link SurplusRecord} of every site and material;</li>
 *   <li>{@code GET /api/matches}: the open matches, as their {@code match} alerts;</li>
 *   <li>{@code GET /api/alerts?active=true}: the alerts not yet cleared or closed ({@code active=false}
 *       or no parameter: every alert).</li>
 * </ul>
 * Answers come from this instance's stores only: with several instances, each answers for its
 * own partitions.
 */
public final class KpiHttpServer implements AutoCloseable {
    /** Where the server reads from. */
    public interface Source {
        /** The Kafka Streams state name, e.g. {@code RUNNING}. */
        String state();

        /** True when the processor counts as up. */
        boolean up();

        /** Every latest key-figure record; throws {@link IllegalStateException} when not queryable now. */
        List<KpiRecord> kpis();

        /** The latest surplus of every site and material; throws {@link IllegalStateException} when not queryable now. */
        List<SurplusRecord> surplus();

        /** Every alert published so far, by id; throws {@link IllegalStateException} when not queryable now. */
        List<AlertRecord> alerts();
    }

    private final EmbeddedHttpServer server;

    private KpiHttpServer(EmbeddedHttpServer server) {
        this.server = server;
    }

    /**
     * Starts the server on {@code host}:{@code port} (port 0: a free port; host {@code 0.0.0.0}: every
     * interface) with the limits of {@link EmbeddedHttpServer}.
     *
     * @throws java.io.UncheckedIOException when the address cannot be bound
     */
    public static KpiHttpServer start(String host, int port, Source source) {
        PathMappingsHandler routes = new PathMappingsHandler();
        routes.addMapping(exact("/api/health"), JsonEndpoint.of(request -> health(source)));
        routes.addMapping(exact("/api/kpis"), JsonEndpoint.of(request -> kpis(request, source)));
        routes.addMapping(exact("/api/surplus"), JsonEndpoint.of(request -> queryable("surplus", source::surplus)));
        routes.addMapping(exact("/api/matches"), JsonEndpoint.of(request -> queryable("matches",
                () -> ActiveAlerts.of(source.alerts()).stream().filter(a -> a.type() == AlertRecord.Type.MATCH).toList())));
        routes.addMapping(exact("/api/alerts"), JsonEndpoint.of(request -> alerts(request, source)));
        return new KpiHttpServer(EmbeddedHttpServer.start("loopflow-http", host, port, withNotFound(routes)));
    }

    /** The path spec matching exactly {@code path}. */
    static PathSpec exact(String path) {
        return new ServletPathSpec(path);
    }

    /** {@code handler}, then a JSON 404 for every path it does not take. */
    static Handler withNotFound(Handler handler) {
        return new Handler.Sequence(handler, JsonEndpoint.of(request -> {
            throw new NotFoundException("no endpoint " + request.getHttpURI().getPath());
        }));
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
        server.close();
    }

    private static Answer health(Source source) {
        Map<String, String> body = new LinkedHashMap<>();
        boolean up = source.up();
        body.put("status", up ? "UP" : "DOWN");
        body.put("state", source.state());
        return new Answer(up ? 200 : 503, body);
    }

    private static Answer kpis(Request request, Source source) {
        KpiQuery query = KpiQuery.parse(JsonEndpoint.rawQuery(request));
        try {
            return Answer.ok(query.select(source.kpis()));
        } catch (IllegalStateException e) {
            return Answer.error(503, "key figures are not queryable now: " + e.getMessage());
        }
    }

    private static Answer queryable(String what, Supplier<Object> body) {
        try {
            return Answer.ok(body.get());
        } catch (IllegalStateException e) {
            return Answer.error(503, what + " not queryable now: " + e.getMessage());
        }
    }

    /** {@code /api/alerts}: every alert, or with {@code active=true} only those not yet cleared or closed. */
    private static Answer alerts(Request request, Source source) {
        String active = QueryParameters.parse(JsonEndpoint.rawQuery(request), Set.of("active")).getOrNull("active");
        if (active != null && !active.equals("true") && !active.equals("false")) {
            throw new BadParameterException("active must be true or false, got '" + active + "'");
        }
        return queryable("alerts", () -> "true".equals(active) ? ActiveAlerts.of(source.alerts()) : source.alerts());
    }
}
