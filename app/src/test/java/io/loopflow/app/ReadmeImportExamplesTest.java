package io.loopflow.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.loopflow.ingest.history.FileScan;
import io.loopflow.ingest.history.ImportConfig;
import io.loopflow.ingest.history.ImportFormat;
import io.loopflow.ingest.history.ImportProgress;
import io.loopflow.ingest.history.ImportResult;
import io.loopflow.ingest.history.Importer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example files of README.md's "Importing history" are what a facilitator would copy: each must pass
 * {@code loopflow import --dry-run}'s checks without a rejection, and the tickets must add up to the day totals
 * the README states. {@code ImportJarIT} imports the tickets into {@code loopflow local} and reads the figures.
 */
class ReadmeImportExamplesTest {
    private static final Path README = Path.of("..", "README.md");
    static final String SECTION = "## Importing history";

    /** The ```csv blocks of the section, in order. */
    static List<String> csvExamples() throws IOException {
        List<String> out = new ArrayList<>();
        boolean inSection = false;
        StringBuilder block = null;
        for (String line : Files.readAllLines(README, StandardCharsets.UTF_8)) {
            if (line.startsWith("## ")) {
                inSection = line.equals(SECTION);
            } else if (inSection && line.equals("```csv")) {
                block = new StringBuilder();
            } else if (block != null && line.equals("```")) {
                out.add(block.toString());
                block = null;
            } else if (block != null) {
                block.append(line).append('\n');
            }
        }
        return out;
    }

    private static ImportResult dryRun(Path file, ImportFormat format) {
        FileScan scan = FileScan.of(file, format);
        return new Importer(ImportConfig.defaults("unused:9092")).validate(scan, new ImportProgress(scan.rows()));
    }

    @Test
    void theTicketsAndTheHistorianExportPassEveryCheck(@TempDir Path dir) throws IOException {
        List<String> examples = csvExamples();
        assertThat(examples).as("```csv blocks in " + SECTION).hasSize(2);

        Path tickets = Files.writeString(dir.resolve("fly-ash-tickets.csv"), examples.get(0));
        Path historian = Files.writeString(dir.resolve("historian.csv"), examples.get(1));
        ImportResult t = dryRun(tickets, ImportFormat.LONG);
        ImportResult h = dryRun(historian, ImportFormat.WIDE);

        assertThat(t.thisRun().accepted()).isEqualTo(5);
        assertThat(t.thisRun().rejected()).isEmpty();
        assertThat(h.thisRun().accepted()).as("readings: the empty cell is none").isEqualTo(5);
        assertThat(h.thisRun().rejected()).isEmpty();
    }

    @Test
    void theTicketsAddUpToTheDayTotalsTheReadmeStates() throws IOException {
        // given the tickets, their values in t (kg / 1000), by local day
        Map<LocalDate, Double> perDay = new TreeMap<>();
        String[] lines = csvExamples().get(0).split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] cells = lines[i].split(",", -1);
            double tonnes = Double.parseDouble(cells[4]) / (cells[5].equals("kg") ? 1000 : 1);
            perDay.merge(OffsetDateTime.parse(cells[3]).toLocalDate(), tonnes, Double::sum);
        }

        // then the README states them
        assertThat(perDay).hasSize(2);
        List<Double> totals = new ArrayList<>(perDay.values());
        assertThat(totals.get(0)).isCloseTo(73.32, within(1e-9));
        assertThat(totals.get(1)).isCloseTo(51.2, within(1e-9));
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        assertThat(readme).contains("73.32 t of fly ash to landfill on 23 November and 51.2 t on the\n24th", "./loopflow import fly-ash-tickets.csv");
    }
}
