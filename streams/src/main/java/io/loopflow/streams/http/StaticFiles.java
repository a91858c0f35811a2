package io.loopflow.streams.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.util.Properties;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.ResourceService;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.resource.Resource;
import org.eclipse.jetty.util.resource.ResourceFactory;

/**
 * The live page's files, all from the classpath (the jar): the page and its scripts under {@code loopflow/web/}
 * ({@code /} and {@code /assets/*}) and Apache ECharts from its WebJar ({@code /vendor/echarts/*}, the
 * {@code dist/} folder of the version on the classpath). Nothing is fetched from the internet. Served by Jetty's
 * {@link ResourceHandler} (content types, ETags, conditional requests).
 */
final class StaticFiles implements AutoCloseable {
    static final String WEB_ROOT = "loopflow/web/";
    private static final String ECHARTS_POM = "META-INF/maven/org.webjars.npm/echarts/pom.properties";

    private final ResourceFactory.Closeable resources = ResourceFactory.closeable();

    /** The handlers of {@code /}, {@code /assets/*} and {@code /vendor/echarts/*}; each declines other paths. */
    Handler handlers() {
        ContextHandler page = context("/", resource(WEB_ROOT));
        ResourceHandler pageFiles = (ResourceHandler) page.getHandler();
        pageFiles.setWelcomeFiles("index.html");
        pageFiles.setWelcomeMode(ResourceService.WelcomeMode.SERVE);
        return new Handler.Sequence(
                context("/vendor/echarts", folderOf("META-INF/resources/webjars/echarts/" + echartsVersion() + "/dist/echarts.min.js")),
                page);
    }

    private static ContextHandler context(String path, Resource base) {
        ResourceHandler files = new ResourceHandler();
        files.setBaseResource(base);
        files.setDirAllowed(false);
        files.setEtags(true);
        files.setCacheControl("no-cache");
        ContextHandler context = new ContextHandler(files, path);
        context.setAllowNullPathInContext(true);
        return context;
    }

    private Resource resource(String classpathFolder) {
        Resource r = resources.newClassLoaderResource(classpathFolder);
        if (r == null || !r.exists()) {
            throw new IllegalStateException("the live page's files are missing from the classpath: " + classpathFolder);
        }
        return r;
    }

    /** The folder of a classpath file (WebJars hold no folder entries, so the folder itself cannot be looked up). */
    private Resource folderOf(String classpathFile) {
        URL file = StaticFiles.class.getClassLoader().getResource(classpathFile);
        if (file == null) {
            throw new IllegalStateException("the live page's files are missing from the classpath: " + classpathFile);
        }
        String uri = file.toString();
        return resources.newResource(URI.create(uri.substring(0, uri.lastIndexOf('/') + 1)));
    }

    /** The version of the ECharts WebJar on the classpath, from its Maven metadata. */
    static String echartsVersion() {
        try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(ECHARTS_POM)) {
            if (in == null) {
                throw new IllegalStateException("the ECharts WebJar (org.webjars.npm:echarts) is not on the classpath: no " + ECHARTS_POM);
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ECHARTS_POM, e);
        }
    }

    @Override
    public void close() {
        resources.close();
    }
}
