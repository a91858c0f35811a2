package io.loopflow.streams.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /metrics}: every meter of a Micrometer {@link PrometheusMeterRegistry} in the Prometheus text
 * format 0.0.4, names converted the usual way ({@code loopflow.gateway.readings.accepted} ->
 * {@code loopflow_gateway_readings_accepted_total}). Reads the registry at each request; changes nothing.
 */
public final class PrometheusEndpoint extends Handler.Abstract {
    /** The Prometheus text exposition format, version 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private final PrometheusMeterRegistry registry;

    public PrometheusEndpoint(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!HttpMethod.GET.is(request.getMethod())) {
            JsonEndpoint.write(response, JsonEndpoint.Answer.error(405, "only GET"), callback);
            return true;
        }
        byte[] body = registry.scrape(CONTENT_TYPE).getBytes(StandardCharsets.UTF_8);
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, CONTENT_TYPE);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
