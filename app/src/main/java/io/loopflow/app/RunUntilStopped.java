package io.loopflow.app;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a started component running until the JVM is asked to stop (Ctrl-C, SIGTERM), then closes
 * it from a shutdown hook so that it stops cleanly: the gateway flushes to Kafka and acknowledges,
 * Streams commits, the brokers shut down.
 */
final class RunUntilStopped {
    private static final Logger LOG = LoggerFactory.getLogger(RunUntilStopped.class);

    private RunUntilStopped() {
    }

    /**
     * Registers the shutdown hook that closes {@code component}; call it before starting the
     * component, so that Ctrl-C during start-up also stops what had started.
     *
     * @return counted down once the hook has closed the component
     */
    static CountDownLatch closeOnShutdown(String name, AutoCloseable component) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Stopping {}", name);
            try {
                component.close();
                LOG.info("{} stopped", name);
            } catch (Exception e) {
                LOG.error("{} did not stop cleanly", name, e);
            } finally {
                stopped.countDown();
            }
        }, "loopflow-shutdown"));
        return stopped;
    }

    /** Blocks the calling thread until the hook of {@link #closeOnShutdown} has run; returns exit code 0. */
    static int await(CountDownLatch stopped) throws InterruptedException {
        stopped.await();
        return 0;
    }
}
