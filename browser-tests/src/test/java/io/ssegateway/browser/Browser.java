package io.ssegateway.browser;

import io.ssegateway.host.testkit.SseClient;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real headless Chromium driven through chromedriver, both from Debian packages at fixed paths (system properties
 * {@code browser.chromium} and {@code browser.chromedriver}), so Selenium Manager never looks for or downloads
 * anything. Each instance has a fresh profile in a temporary directory, deleted on {@link #close()}.
 * <p>
 * Before any page script runs, every page gets a probe (through the DevTools protocol, so the page's CSP does not
 * apply to it) that records {@code alert()} calls and Content-Security-Policy violations, for
 * {@link #alerts()} and {@link #cspViolations()}.
 */
final class Browser implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(15);

    private static final String PROBE = """
            window.__alerts = [];
            window.__cspViolations = [];
            window.alert = (message) => { window.__alerts.push(String(message)); };
            document.addEventListener('securitypolicyviolation',
                (event) => window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI));
            """;

    private final Path profile;
    private final ChromeDriverService service;
    private final ChromeDriver driver;

    Browser() {
        this(new String[0]);
    }

    /** A browser started with these command-line arguments added (e.g. a certificate to trust). */
    Browser(String... extraArguments) {
        File chromium = requiredExecutable("browser.chromium", "/usr/bin/chromium");
        File chromedriver = requiredExecutable("browser.chromedriver", "/usr/bin/chromedriver");
        try {
            profile = Files.createTempDirectory("sse-gateway-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile);
        options.addArguments(extraArguments);
        // an alert must not block the session: it is recorded by the probe and looked for by the tests
        options.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
        service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver)
                .usingAnyFreePort()
                .build();
        try {
            driver = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            service.stop();
            deleteProfile();
            throw e;
        }
        driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", PROBE));
        size(1280, 900);
    }

    private static File requiredExecutable(String property, String fallback) {
        File file = new File(System.getProperty(property, fallback));
        if (!file.canExecute()) {
            throw new IllegalStateException(file + " is missing: the browser tests need the Debian packages chromium "
                    + "and chromium-driver (apt-get install -y chromium chromium-driver), or -D" + property + "=<path>");
        }
        return file;
    }

    ChromeDriver driver() {
        return driver;
    }

    void open(String url) {
        driver.get(url);
    }

    void size(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    Object script(String script, Object... args) {
        return driver.executeScript(script, args);
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    List<WebElement> findAll(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** The element's rendered text ({@code textContent}, so hidden elements answer too). */
    String text(String css) {
        return String.valueOf(script("const node = document.querySelector(arguments[0]);"
                + " return node === null ? null : node.textContent;", css));
    }

    void type(String css, String text) {
        WebElement input = find(css);
        input.clear();
        input.sendKeys(text);
    }

    void click(String css) {
        find(css).click();
    }

    /** Waits (polling, with a deadline) until {@code condition} holds. */
    void await(BooleanSupplier condition, Supplier<String> describe) {
        SseClient.awaitCondition(condition, WAIT, describe);
    }

    /** Waits until the element's text equals {@code expected}. */
    void awaitText(String css, String expected) {
        await(() -> expected.equals(text(css)), () -> css + " shows '" + text(css) + "', expected '" + expected + "'");
    }

    @SuppressWarnings("unchecked")
    List<String> alerts() {
        return (List<String>) script("return window.__alerts;");
    }

    @SuppressWarnings("unchecked")
    List<String> cspViolations() {
        return (List<String>) script("return window.__cspViolations;");
    }

    /** {@code true} if a native dialog is open (an alert the probe did not catch). */
    boolean dialogOpen() {
        try {
            driver.switchTo().alert();
            return true;
        } catch (NoAlertPresentException e) {
            return false;
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            deleteProfile();
        }
    }

    private void deleteProfile() {
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }

    /** Where tests write artifacts (screenshots): the module's target directory. */
    static Path artifacts() {
        return Paths.get(System.getProperty("browser.artifacts", "target"));
    }
}
