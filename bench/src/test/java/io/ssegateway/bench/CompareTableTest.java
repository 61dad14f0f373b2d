package io.ssegateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The side-by-side table from two sets of result lines. */
class CompareTableTest {

    private static final String OURS = "{\"scenario\":\"fanout\",\"mode\":\"burst\",\"subscribers\":10000,\"messages\":50,"
            + "\"lost\":0,\"latency_ms\":{\"p50\":36.04,\"p90\":80.1,\"p99\":428.51,\"max\":500.0,\"count\":500000},"
            + "\"deliveries_per_s\":416518.3,\"reach_all_ms\":{\"first\":1.0,\"others\":{\"p50\":2.0,\"p99\":3.0}},"
            + "\"server_rss_mb\":178.2,\"usage\":{\"wall_s\":2.0,\"server_cpu_s\":1.04,\"server_cpu_pct\":60.2},"
            + "\"load1_before\":2.51}";
    private static final String THEIRS = "{\"scenario\":\"fanout\",\"mode\":\"burst\",\"subscribers\":10000,"
            + "\"messages\":50,\"lost\":3,\"latency_ms\":{\"p50\":16.4,\"p99\":80.0},\"deliveries_per_s\":130069.0,"
            + "\"server_rss_mb\":46.0,\"usage\":{\"server_cpu_s\":0.3,\"server_cpu_pct\":31.0},"
            + "\"subscribe_url\":\"http://127.0.0.1:18283/sub/{channel}\",\"load1_before\":2.7}";

    @Test
    void valuesAreFoundByPathAndNotInsideOtherObjects() {
        assertEquals("428.51", CompareTable.value(OURS, "latency_ms.p99"));
        assertEquals("60.2", CompareTable.value(OURS, "usage.server_cpu_pct"));
        assertEquals("burst", CompareTable.value(OURS, "mode"));
        // reach_all_ms.others has a p50 too: not the top level's
        assertNull(CompareTable.value(OURS, "p50"));
        assertNull(CompareTable.value(THEIRS, "rss_per_connection_kb"));
        assertEquals("http://127.0.0.1:18283/sub/{channel}", CompareTable.value(THEIRS, "subscribe_url"));
        assertEquals("2.7", CompareTable.value(THEIRS, "load1_before"));
    }

    @Test
    void eachPairOfLinesGivesTheRowsEitherHas() {
        String table = CompareTable.table(List.of(OURS), List.of(THEIRS), "Nchan");
        assertTrue(table.startsWith("| scenario | measure | sse-gateway | Nchan |\n|---|---|---|---|\n"), table);
        assertTrue(table.contains("| fanout burst 10000 × 50 | deliveries/s | 416,518 | 130,069 |\n"), table);
        assertTrue(table.contains("| fanout burst 10000 × 50 | delivery latency p99 (ms) | 428.5 | 80.0 |\n"), table);
        assertTrue(table.contains("| fanout burst 10000 × 50 | lost | 0 | 3 |\n"), table);
        assertTrue(table.contains("| fanout burst 10000 × 50 | wall time of the measured phase (s) | 2.0 | — |\n"), table);
        assertTrue(table.contains("| fanout burst 10000 × 50 | server CPU (% of one core) | 60 | 31 |\n"), table);
        assertTrue(table.contains("| fanout burst 10000 × 50 | load average (1 min) at the start | 2.5 | 2.7 |\n"), table);
        assertTrue(!table.contains("publishes/s") && !table.contains("memory per idle connection"), table);
    }

    @Test
    void linesOfDifferentScenariosAreNotPutSideBySide() {
        String targeted = "{\"scenario\":\"targeted\",\"channels\":10000,\"rounds\":3,\"publishes_per_s\":1.0}";
        assertThrows(IllegalArgumentException.class, () -> CompareTable.table(List.of(OURS), List.of(targeted), "x"));
        assertThrows(IllegalArgumentException.class, () -> CompareTable.table(List.of(OURS), List.of(), "x"));
    }
}
