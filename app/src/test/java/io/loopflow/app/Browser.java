package io.loopflow.app;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's headless chromium driven through Debian's chromedriver (packages {@code chromium} and
 * {@code chromium-driver}, installed by {@code .ci/run}); nothing is downloaded. Each browser gets a fresh profile
 * folder. Without the packages a test is skipped, and fails when {@code CI=true}.
 */
final class Browser {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private Browser() {
    }

    /** Fails under CI, else skips the test class, when chromium or chromedriver is missing. */
    static void require() {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        String message = "the browser tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; "
                + ".ci/run installs them): " + CHROMIUM + " or " + CHROMEDRIVER + " is missing";
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(message);
        }
        Assumptions.assumeTrue(present, message);
    }

    /** A headless chromium with a fresh profile in {@code profile}, its console log kept. */
    static WebDriver start(Path profile, int width, int height) throws IOException {
        Files.createDirectories(profile);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=" + width + "," + height));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        // The driver is given: Selenium Manager never looks for, nor downloads, one.
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        return driver;
    }

    /** The console messages logged since the last call, errors and warnings included. */
    static List<LogEntry> console(WebDriver driver) {
        return driver.manage().logs().get(LogType.BROWSER).getAll();
    }
}
