package io.loopflow.sink;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.InfluxDBClientOptions;
import com.influxdb.client.WriteApiBlocking;
import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import com.influxdb.exceptions.InfluxException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;

/**
 * Writes points through the InfluxDB v2 write API ({@code POST /api/v2/write?org=&bucket=&precision=ms})
 * with the client's <em>blocking</em> API: one HTTP request per batch, returning only on a 2xx. The client's
 * asynchronous WriteApi is not used because it drops batches silently when its buffer overflows.
 * HTTP 400, 413 and 422 mean the server refuses the points (not retryable); anything else, including a
 * connection failure, 401/403 (a token being fixed) or 404 (a bucket being created), is retried.
 */
final class InfluxPointWriter implements PointWriter {
    private final InfluxDBClient client;
    private final WriteApiBlocking api;
    private final String org;
    private final String bucket;

    InfluxPointWriter(SinkConfig config) {
        InfluxDBClientOptions.Builder options = InfluxDBClientOptions.builder()
                .url(config.influxUrl())
                .org(config.org())
                .bucket(config.bucket())
                .precision(WritePrecision.MS)
                .okHttpClient(new OkHttpClient.Builder()
                        .connectTimeout(5, TimeUnit.SECONDS)
                        .readTimeout(30, TimeUnit.SECONDS)
                        .writeTimeout(30, TimeUnit.SECONDS)
                        .retryOnConnectionFailure(false));
        if (!config.token().isEmpty()) {
            options.authenticateToken(config.token().toCharArray());
        }
        this.client = InfluxDBClientFactory.create(options.build());
        this.api = client.getWriteApiBlocking();
        this.org = config.org();
        this.bucket = config.bucket();
    }

    @Override
    public void write(List<Point> points) throws WriteException {
        try {
            api.writePoints(bucket, org, points);
        } catch (InfluxException e) {
            int status = e.status();
            boolean refused = status == 400 || status == 413 || status == 422;
            throw new WriteException("InfluxDB write failed (HTTP " + status + "): " + e.getMessage(), !refused, e);
        } catch (RuntimeException e) {
            throw new WriteException("InfluxDB write failed: " + e, true, e);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
