package io.loopflow.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a benchmark's report goes: written to its file, and logged through the {@value #LOGGER} logger, which
 * logback.xml sends to stdout as bare text (the report is the program's output; other logs go to stderr).
 */
final class Report {
    static final String LOGGER = "io.loopflow.bench.report";
    private static final Logger OUT = LoggerFactory.getLogger(LOGGER);
    private static final Logger LOG = LoggerFactory.getLogger(Report.class);

    private Report() {
    }

    /** Writes {@code text} to {@code out} (creating its directory) and to stdout. */
    static void publish(Path out, String text) throws IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, text, StandardCharsets.UTF_8);
        OUT.info(text);
        LOG.info("report written to {}", out.toAbsolutePath());
    }
}
