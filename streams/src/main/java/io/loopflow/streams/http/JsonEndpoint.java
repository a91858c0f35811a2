package io.loopflow.streams.http;

import io.loopflow.core.json.Json;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code GET} endpoint that answers JSON: the function's {@link Answer}, written with LoopFlow's one JSON
 * codec. Other methods get 405; a {@link BadParameterException} from the function gets 400 with its message, a
 * {@link NotFoundException} 404; an {@link IllegalStateException} (data not readable now) gets 503 with its message;
 * anything else 500, logged.
 */
public final class JsonEndpoint extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(JsonEndpoint.class);
    static final String JSON = "application/json; charset=utf-8";

    /** An HTTP status and the body to write as JSON. */
    public record Answer(int status, Object body) {
        public static Answer ok(Object body) {
            return new Answer(200, body);
        }

        public static Answer error(int status, String message) {
            return new Answer(status, Map.of("error", message));
        }
    }

    private final Function<Request, Answer> answer;

    private JsonEndpoint(Function<Request, Answer> answer) {
        this.answer = answer;
    }

    /** An endpoint answering {@code answer(request)}. */
    public static JsonEndpoint of(Function<Request, Answer> answer) {
        return new JsonEndpoint(answer);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Answer a;
        if (!HttpMethod.GET.is(request.getMethod())) {
            a = Answer.error(405, "only GET");
        } else {
            try {
                a = answer.apply(request);
            } catch (BadParameterException e) {
                a = Answer.error(400, e.getMessage());
            } catch (NotFoundException e) {
                a = Answer.error(404, e.getMessage());
            } catch (IllegalStateException e) {
                a = Answer.error(503, e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("HTTP {} failed", request.getHttpURI(), e);
                a = Answer.error(500, String.valueOf(e.getMessage()));
            }
        }
        write(response, a, callback);
        return true;
    }

    /** Writes {@code a} as the whole response. */
    static void write(Response response, Answer a, Callback callback) {
        byte[] body = Json.write(a.body());
        response.setStatus(a.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /** The raw (still URL-encoded) query string of {@code request}, or null. */
    public static String rawQuery(Request request) {
        return request.getHttpURI().getQuery();
    }
}
