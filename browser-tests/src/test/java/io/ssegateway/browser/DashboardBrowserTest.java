package io.ssegateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;

/** The dashboard in a real browser: live numbers over the admin stream, the test subscriber, the send form, auth. */
class DashboardBrowserTest {

    private static final String HOSTILE = "<img src=x onerror=alert(1)>";

    private static Browser browser;
    private final List<Gateway> gateways = new ArrayList<>();
    private final List<SseClient> clients = new ArrayList<>();

    @BeforeAll
    static void startBrowser() {
        browser = new Browser();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @AfterEach
    void tearDown() {
        try {
            // whatever the test did, the page must have kept to its own CSP and never alerted
            assertEquals(List.of(), browser.cspViolations(), "Content-Security-Policy violations");
            assertEquals(List.of(), browser.alerts(), "alert() calls");
            assertFalse(browser.dialogOpen(), "a dialog is open");
        } finally {
            browser.size(1280, 900);
            browser.open("about:blank");
            clients.forEach(SseClient::close);
            gateways.forEach(Gateway::stop);
        }
    }

    private Gateway start(Gateway.Builder builder) {
        Gateway gateway = builder.build().start();
        gateways.add(gateway);
        return gateway;
    }

    private SseClient subscribe(Gateway gateway, String channel) throws IOException {
        SseClient client = SseClient.subscribe(gateway.port(), channel);
        clients.add(client);
        assertEquals(200, client.status(), client.errorBody());
        return client;
    }

    private void openDashboard(Gateway gateway) {
        browser.open("http://127.0.0.1:" + gateway.port() + "/dashboard");
    }

    private void awaitLive() {
        browser.awaitText("#live-state", "live");
    }

    private void connectTestPanel(String channel) {
        browser.type("#test-channel", channel);
        browser.click("#test-connect");
        browser.awaitText("#test-state", "open");
    }

    private void send(String channel, String type, String format, String data) {
        if (channel == null) {
            if (!browser.find("#send-broadcast").isSelected()) {
                browser.click("#send-broadcast");
            }
        } else {
            browser.type("#send-channel", channel);
        }
        browser.type("#send-type", type);
        browser.click("#send-format-" + format);
        browser.type("#send-data", data);
        browser.click("#send-submit");
    }

    /** The test panel's log, oldest first: {type, id text, data}. */
    private List<List<String>> loggedEvents() {
        List<List<String>> events = new ArrayList<>();
        for (WebElement item : browser.findAll("#test-events li")) {
            events.add(0, List.of(item.findElement(org.openqa.selenium.By.cssSelector(".type")).getText(),
                    item.findElement(org.openqa.selenium.By.cssSelector(".id")).getText(),
                    String.valueOf(browser.script("return arguments[0].textContent;",
                            item.findElement(org.openqa.selenium.By.cssSelector(".data"))))));
        }
        return events;
    }

    private List<String> awaitLogged(String type) {
        browser.await(() -> loggedEvents().stream().anyMatch(event -> event.get(0).equals(type)),
                () -> "no '" + type + "' event in the test panel: " + loggedEvents() + "; panel state '"
                        + browser.text("#test-state") + "', listening to '" + browser.text("#test-listened")
                        + "'; send form: result '" + browser.text("#send-result") + "', error '"
                        + browser.text("#send-error") + "'");
        return loggedEvents().stream().filter(event -> event.get(0).equals(type)).findFirst().orElseThrow();
    }

    @Test
    void liveNumbersChangeWhenAClientConnects() throws Exception {
        Gateway gateway = start(TestGateways.builder());
        openDashboard(gateway);
        awaitLive();
        browser.awaitText("#stat-connections", "0");
        browser.awaitText("#instance-id", gateway.instanceId());

        subscribe(gateway, "orders");
        browser.awaitText("#stat-connections", "1");
        browser.awaitText("#stat-channels", "1");
        browser.awaitText("#connections tr td:nth-child(2)", "orders");

        Http.publish(gateway.port(), "orders", "order", "one");
        Http.publish(gateway.port(), "orders", "order", "two");
        browser.awaitText("#stat-published", "2");
        browser.awaitText("#stat-delivered", "2");
        browser.awaitText("#components tr:first-child td:nth-child(3)", "RUNNING");
    }

    @Test
    void ratesChartChannelListAndRowsFollowTheGateway() throws Exception {
        Gateway gateway = start(TestGateways.builder());
        openDashboard(gateway);
        awaitLive();
        browser.awaitText("#channels tr td", "No channel.");
        SseClient leaving = subscribe(gateway, "busy");
        subscribe(gateway, "busy");
        subscribe(gateway, "calm");
        browser.awaitText("#channels tr:first-child td:nth-child(1)", "busy");
        browser.awaitText("#channels tr:first-child td:nth-child(2)", "2");
        browser.awaitText("#channels tr:nth-child(2) td:nth-child(1)", "calm");
        browser.awaitText("#channels tr:nth-child(2) td:nth-child(2)", "1");
        // anonymous clients: no subject
        browser.awaitText("#connections tr:first-child td:nth-child(5)", "–");

        for (int i = 0; i < 20; i++) {
            Http.publish(gateway.port(), "busy", "tick", "n" + i);
        }
        // a point above the baseline (y 80) once a snapshot saw the burst
        browser.await(() -> java.util.Arrays.stream(String.valueOf(browser.script(
                        "return document.getElementById('rates-published').getAttribute('points');")).split(" "))
                        .filter(point -> point.contains(","))
                        .anyMatch(point -> Double.parseDouble(point.substring(point.indexOf(',') + 1)) < 80),
                () -> "no published rate drawn: " + browser.script(
                        "return document.getElementById('rates-published').getAttribute('points');"));
        browser.await(() -> !"0".equals(browser.find("#rates-peak").getText()), () -> "no peak");

        // a client leaves: its row goes, and its channel's count follows
        leaving.close();
        browser.await(() -> browser.findAll("#connections tr").size() == 2,
                () -> "rows: " + browser.findAll("#connections tr").size());
        browser.awaitText("#channels tr:first-child td:nth-child(2)", "1");
        browser.awaitText("#channels tr:nth-child(2) td:nth-child(2)", "1");
    }

    @Test
    void aConnectionToSeveralChannelsListsThemAll() throws Exception {
        Gateway gateway = start(TestGateways.builder());
        SseClient client = SseClient.connect(gateway.port(), "/sse/connect?channel_id=orders&channel_id=alerts",
                SseClient.options());
        clients.add(client);
        assertEquals(200, client.status(), client.errorBody());
        openDashboard(gateway);
        awaitLive();
        browser.awaitText("#stat-connections", "1");
        browser.awaitText("#stat-channels", "2");
        browser.awaitText("#connections tr td:nth-child(2)", "orders, alerts");
    }

    @Test
    void connectionTablePagesAndFilters() throws Exception {
        Gateway gateway = start(TestGateways.builder());
        for (int i = 0; i < 30; i++) {
            subscribe(gateway, i < 27 ? "busy" : "quiet");
        }
        openDashboard(gateway);
        awaitLive();
        browser.awaitText("#page-info", "1–25 of 30");
        browser.click("#page-next");
        browser.awaitText("#page-info", "26–30 of 30");
        assertEquals(5, browser.findAll("#connections tr").size());

        browser.type("#filter-channel", "quiet");
        browser.click("#filter-form button");
        browser.awaitText("#page-info", "1–3 of 3");
        browser.findAll("#connections tr td:nth-child(2)").forEach(cell -> assertEquals("quiet", cell.getText()));
        assertTrue(browser.find("#page-next").getAttribute("disabled") != null, "no next page after the last");
    }

    @Test
    void sendFormDeliversToTheTestPanelWithCustomEventTypes() {
        Gateway gateway = start(TestGateways.builder());
        openDashboard(gateway);
        awaitLive();
        connectTestPanel("room-7");

        send("room-7", "chat.message", "text", "hello from the form");
        List<String> event = awaitLogged("chat.message");
        assertEquals("hello from the form", event.get(2));
        assertTrue(event.get(1).matches("last-event-id \\S+"), event.toString());
        browser.await(() -> browser.text("#send-result").startsWith("Sent to 1 subscriber, stream id "),
                () -> "send result: " + browser.text("#send-result"));

        // JSON data goes out as compact JSON; a broadcast reaches the panel too
        send(null, "notice", "json", "{ \"level\": 3 }");
        assertEquals("{\"level\":3}", awaitLogged("notice").get(2));
        assertTrue(browser.text("#test-listened").contains("chat.message"), browser.text("#test-listened"));
    }

    @Test
    void sendFormShowsErrorsInline() {
        Gateway gateway = start(TestGateways.builder());
        openDashboard(gateway);
        awaitLive();

        send("room", "message", "json", "{not json");
        browser.await(() -> browser.text("#send-error").startsWith("Data is not valid JSON"),
                () -> "error: " + browser.text("#send-error"));

        // refused by the gateway: a channel id longer than 256 bytes
        send("c".repeat(300), "message", "text", "x");
        browser.await(() -> browser.text("#send-error").startsWith("400: ") && browser.text("#send-error").contains("256"),
                () -> "error: " + browser.text("#send-error"));
        assertTrue(browser.find("#send-result").getAttribute("hidden") != null, "no success shown");
    }

    @Test
    void hostileDataIsShownAsText() throws Exception {
        Gateway gateway = start(TestGateways.builder());
        subscribe(gateway, "<b>" + HOSTILE + "</b>");
        openDashboard(gateway);
        awaitLive();
        browser.awaitText("#connections tr td:nth-child(2)", "<b>" + HOSTILE + "</b>");

        connectTestPanel("xss");
        send("xss", "<i>type</i>", "text", HOSTILE);
        List<String> event = awaitLogged("<i>type</i>");
        assertEquals(HOSTILE, event.get(2));
        assertTrue(browser.find("#test-events").getText().contains(HOSTILE), "the markup is visible as text");
        assertEquals(List.of(), browser.findAll("main img, main b, main i"), "data became markup");
        assertEquals(List.of(), browser.alerts());
        assertFalse(browser.dialogOpen());
    }

    @Test
    void adminTokenIsAskedForOnceAndKeptForTheTab() {
        Gateway gateway = start(TestGateways.builder().adminToken("s3cret-token"));
        openDashboard(gateway);
        browser.awaitText("#live-state", "admin token needed");
        assertFalse(browser.find("#auth").getAttribute("hidden") != null, "the token prompt is shown");
        browser.awaitText("#auth-message", "admin token required: Authorization: Bearer <gateway.admin.token>");

        browser.type("#auth-token", "wrong");
        browser.click("#auth-form button");
        browser.awaitText("#auth-message", "invalid admin token");

        browser.type("#auth-token", "s3cret-token");
        browser.click("#auth-form button");
        awaitLive();
        browser.awaitText("#stat-connections", "0");
        assertTrue(browser.find("#auth").getAttribute("hidden") != null, "the prompt is gone");
        assertEquals("s3cret-token", browser.script("return sessionStorage.getItem('sse-gateway.admin-token');"));

        // a reload keeps the token (same tab); the send form uses it too
        browser.driver().navigate().refresh();
        awaitLive();
        connectTestPanel("secured");
        send("secured", "message", "text", "with token");
        assertEquals("with token", awaitLogged("message").get(2));
        assertFalse(browser.driver().getCurrentUrl().contains("s3cret"), "the token never goes into a URL");

        // forgetting it brings the prompt back
        browser.click("#forget-token");
        browser.awaitText("#live-state", "admin token needed");
        assertNull(browser.script("return sessionStorage.getItem('sse-gateway.admin-token');"));
    }

    @Test
    void pageFitsAPhoneScreen() throws Exception {
        Gateway gateway = start(TestGateways.builder());
        subscribe(gateway, "a-rather-long-channel-name-".repeat(8));
        browser.size(390, 844);
        openDashboard(gateway);
        awaitLive();
        browser.awaitText("#stat-connections", "1");
        connectTestPanel("phone");
        Number overflow = (Number) browser.script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assertEquals(0, overflow.intValue(), "the page scrolls sideways at phone width");
    }

    @Test
    void screenshotOfABusyDashboard() throws Exception {
        Gateway gateway = start(TestGateways.builder().instanceId("gateway-1"));
        for (String channel : List.of("user-42", "user-42", "orders", "prices", "prices", "prices")) {
            subscribe(gateway, channel);
        }
        openDashboard(gateway);
        awaitLive();
        browser.type("#test-types", "order.created");
        connectTestPanel("orders");
        for (int i = 1; i <= 3; i++) {
            Http.publish(gateway.port(), "orders", "order.created", "{\"order\":" + i + ",\"total\":" + (19.5 * i) + "}");
        }
        send("orders", "order.shipped", "json", "{\"order\": 1, \"carrier\": \"DHL\"}");
        awaitLogged("order.shipped");
        browser.await(() -> loggedEvents().size() == 4, () -> "events in the panel: " + loggedEvents());
        browser.awaitText("#stat-connections", "7");
        // the rate is per one-second snapshot: the publishes above may be a snapshot or more behind by now
        Http.publish(gateway.port(), "prices", "tick", "101.5");
        browser.await(() -> !"0".equals(browser.text("#stat-published-rate")), () -> "no publish rate yet");

        Number height = (Number) browser.script("return document.documentElement.scrollHeight;");
        browser.size(1280, height.intValue() + 140);
        byte[] png = browser.driver().getScreenshotAs(OutputType.BYTES);
        Path file = Browser.artifacts().resolve("dashboard.png");
        Files.createDirectories(file.getParent());
        Files.write(file, png);

        BufferedImage image = ImageIO.read(file.toFile());
        assertTrue(image.getWidth() >= 1200 && image.getHeight() >= 900, image.getWidth() + "x" + image.getHeight());
        // mvn verify -Dbrowser.update-docs=true refreshes the README's copy
        if (Boolean.getBoolean("browser.update-docs")) {
            Path docs = Paths.get(System.getProperty("browser.docs", "docs"));
            Files.createDirectories(docs);
            Files.copy(file, docs.resolve("dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
