package io.ssegateway.browser;

import io.ssegateway.host.Gateway;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a browser test class runs on, as a JUnit extension ({@code @RegisterExtension static final}): a page server
 * and one Chromium for the class, started before all its tests and closed after them; after each test the page is
 * left (its EventSources close) and the gateways the test started (see {@link #started}) are stopped.
 */
final class BrowserSession implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

    private final Callable<List<String>> browserArguments;
    private final List<Gateway> gateways = new ArrayList<>();
    private PageServer pages;
    private Browser browser;

    BrowserSession() {
        this(List::of);
    }

    /** {@code browserArguments} are Chromium command-line arguments, made before it starts (after {@code @TempDir}). */
    BrowserSession(Callable<List<String>> browserArguments) {
        this.browserArguments = browserArguments;
    }

    PageServer pages() {
        return pages;
    }

    Browser browser() {
        return browser;
    }

    /** Remembers {@code gateway} to stop it after the test; returns it. */
    Gateway started(Gateway gateway) {
        gateways.add(gateway);
        return gateway;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        pages = new PageServer();
        browser = new Browser(browserArguments.call().toArray(String[]::new));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        browser.open("about:blank");
        gateways.forEach(Gateway::stop);
        gateways.clear();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (browser != null) {
            browser.close();
        }
        if (pages != null) {
            pages.close();
        }
    }
}
