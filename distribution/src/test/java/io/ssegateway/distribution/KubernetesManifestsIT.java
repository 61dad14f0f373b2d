package io.ssegateway.distribution;

import static io.ssegateway.distribution.LaunchProbes.awaitStarted;
import static io.ssegateway.distribution.LaunchProbes.read;
import static io.ssegateway.distribution.LaunchProbes.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.host.testkit.SseClient;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code deploy/kubernetes/}: parsed, and checked against the real gateway rather than by eye. The Deployment's
 * container environment runs the distribution (against a local redis-server standing in for the {@code redis}
 * Service): every variable sets a configuration key (none reported as unused), every probe's path answers 200 on the
 * port the probe names, the ports match the environment, the shutdown fits in the termination grace period, and the
 * Services, the PodDisruptionBudget and the Redis example select what they should.
 */
class KubernetesManifestsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    /** The launched gateway's log (a temporary directory JUnit deletes afterwards). */
    @TempDir
    Path logs;
    private final Path root = Path.of(System.getProperty("project.root")).toAbsolutePath().normalize();
    private final Path distribution = Path.of(System.getProperty("distribution.dir"));
    private Process gateway;

    @AfterEach
    void kill() {
        if (gateway != null && gateway.isAlive()) {
            gateway.destroyForcibly();
        }
    }

    @Test
    void theDeploymentsEnvironmentProbesAndPortsAreTheGatewaysOwn() throws Exception {
        Map<String, Map<String, Object>> objects = objects();
        Map<String, Object> deployment = objects.get("Deployment/sse-gateway");
        assertNotNull(deployment, "a Deployment named sse-gateway: " + objects.keySet());
        Map<String, Object> pod = map(map(map(deployment, "spec"), "template"), "spec");
        Map<String, Object> container = list(pod, "containers").get(0);
        Map<String, Integer> ports = new HashMap<>();
        for (Map<String, Object> port : list(container, "ports")) {
            ports.put((String) port.get("name"), (Integer) port.get("containerPort"));
        }
        Map<String, String> environment = new LinkedHashMap<>();
        for (Map<String, Object> variable : list(container, "env")) {
            Object value = variable.containsKey("value") ? variable.get("value") : "from-" + variable.get("valueFrom").hashCode();
            environment.put((String) variable.get("name"), String.valueOf(value));
        }
        assertEquals(String.valueOf(ports.get("http")), environment.get("PORT"), "PORT is the http containerPort");
        assertEquals(String.valueOf(ports.get("management")), environment.get("GATEWAY_MANAGEMENT_PORT"));

        // the probes, by the port name they use
        Map<String, String> probes = new LinkedHashMap<>();
        for (String probe : new String[] {"livenessProbe", "readinessProbe", "startupProbe"}) {
            Map<String, Object> httpGet = map(map(container, probe), "httpGet");
            assertEquals("management", httpGet.get("port"), probe + " asks the management port");
            probes.put(probe, (String) httpGet.get("path"));
        }
        assertEquals("/health", probes.get("livenessProbe"));
        assertEquals("/ready", probes.get("readinessProbe"));

        // shutdown: preStop, then the gateway's shutdown grace, within the termination grace period
        List<?> preStop = (List<?>) map(map(map(container, "lifecycle"), "preStop"), "exec").get("command");
        long preStopSeconds = Long.parseLong(String.valueOf(preStop.get(preStop.size() - 1)));
        long shutdownGrace = Duration.parse("PT" + environment.get("GATEWAY_SHUTDOWN_GRACE").toUpperCase()).toSeconds();
        int terminationGrace = (Integer) pod.get("terminationGracePeriodSeconds");
        assertTrue(terminationGrace > preStopSeconds + shutdownGrace + 5, "terminationGracePeriodSeconds "
                + terminationGrace + " leaves the JVM time after preStop " + preStopSeconds + " s and shutdown "
                + shutdownGrace + " s");
        Map<String, Object> resources = map(container, "resources");
        assertEquals(map(resources, "requests").get("memory"), map(resources, "limits").get("memory"),
                "memory request = limit: a gateway holds its connections' memory, it cannot burst into it");

        // the environment, run: with the port numbers of the manifest replaced by 0, the bound ones read from its log
        try (RedisServer redis = RedisServer.start()) {
            environment.put("PORT", "0");
            environment.put("GATEWAY_MANAGEMENT_PORT", "0");
            assertTrue(environment.get("REDIS_URL").startsWith("redis://redis:"), environment.get("REDIS_URL"));
            environment.put("REDIS_URL", redis.url());
            Path log = logs.resolve("gateway.log");
            ProcessBuilder builder = new ProcessBuilder(distribution.resolve("bin/sse-gateway").toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().remove("JAVA_HOME");
            builder.environment().putAll(environment);
            gateway = builder.start();
            LaunchProbes.Ports bound = awaitStarted(gateway, log);
            int port = bound.port();
            int management = bound.management();
            assertTrue(management > 0, "no management port in the start-up lines; log:\n" + read(log));
            for (String path : probes.values()) {
                SseClient.awaitCondition(() -> status(management, path) == 200 || !gateway.isAlive(), WAIT,
                        () -> path + " never answered 200:\n" + read(log));
                assertEquals(200, status(management, path), path + "; log:\n" + read(log));
            }
            assertEquals(404, status(port, "/ready"), "probes are not on the public port");
            String output = read(log);
            assertFalse(output.contains("set no configuration key"), "a variable the gateway does not know:\n" + output);
            assertTrue(output.contains("storage redis") || output.contains("storage 'redis'") || output.contains("redis"),
                    output);
            long stopping = System.nanoTime();
            gateway.destroy();
            assertTrue(gateway.waitFor(terminationGrace, TimeUnit.SECONDS), "not stopped within the grace:\n" + read(log));
            assertEquals(0, gateway.exitValue(), read(log));
            assertTrue(System.nanoTime() - stopping < Duration.ofSeconds(shutdownGrace + 5).toNanos());
            for (String line : read(log).split("\n")) {
                new ObjectMapper().readTree(line); // GATEWAY_LOG_FORMAT=json
            }
        }
    }

    @Test
    void servicesAndTheDisruptionBudgetSelectTheGatewayOnNamedPorts() throws Exception {
        Map<String, Map<String, Object>> objects = objects();
        Map<String, Object> deployment = objects.get("Deployment/sse-gateway");
        Object podLabels = map(map(map(deployment, "spec"), "template"), "metadata").get("labels");
        assertEquals(map(map(deployment, "spec"), "selector").get("matchLabels"), podLabels);
        List<Object> containerPorts = new ArrayList<>();
        for (Map<String, Object> port : list(list(map(map(map(deployment, "spec"), "template"), "spec"), "containers")
                .get(0), "ports")) {
            containerPorts.add(port.get("name"));
        }
        for (String name : new String[] {"Service/sse-gateway", "Service/sse-gateway-management"}) {
            Map<String, Object> service = objects.get(name);
            assertNotNull(service, name);
            assertEquals(podLabels, map(service, "spec").get("selector"), name + " selects the gateway's pods");
            for (Map<String, Object> port : list(map(service, "spec"), "ports")) {
                assertTrue(containerPorts.contains(port.get("targetPort")), name + " targets a named container port");
            }
        }
        Map<String, Object> budget = objects.get("PodDisruptionBudget/sse-gateway");
        assertNotNull(budget);
        assertEquals(podLabels, map(map(budget, "spec"), "selector").get("matchLabels"));
        assertTrue((Integer) map(deployment, "spec").get("replicas") > (Integer) map(budget, "spec").get("maxUnavailable"));
        Map<String, Object> redis = objects.get("Service/redis");
        assertNotNull(redis, "the Redis example's Service, which REDIS_URL names");
        assertEquals(6379, list(map(redis, "spec"), "ports").get(0).get("port"));
        assertNotNull(objects.get("Secret/sse-gateway"), "the Secret ADMIN_TOKEN comes from");
    }

    /** Every object of every manifest, by kind/name. */
    private Map<String, Map<String, Object>> objects() throws IOException {
        Map<String, Map<String, Object>> objects = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(root.resolve("deploy/kubernetes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (Reader reader = Files.newBufferedReader(file)) {
                    for (Object document : new Yaml().loadAll(reader)) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> object = (Map<String, Object>) document;
                        objects.put(object.get("kind") + "/" + map(object, "metadata").get("name"), object);
                    }
                }
            }
        }
        return objects;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertTrue(value instanceof Map, key + " in " + parent);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertTrue(value instanceof List, key + " in " + parent);
        return (List<Map<String, Object>>) value;
    }
}
