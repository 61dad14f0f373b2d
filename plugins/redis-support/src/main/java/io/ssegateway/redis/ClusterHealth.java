package io.ssegateway.redis;

import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** What {@link RedisLink} asks of a Redis Cluster: who serves a key, and whether every slot is served. */
final class ClusterHealth {

    private ClusterHealth() {
    }

    /**
     * Every slot has a master that Lettuce's view of the topology (read every {@code cluster-refresh-period}) does not
     * mark as failing. Never blocks.
     */
    static boolean isCovered(StatefulRedisClusterConnection<String, String> cluster) {
        int covered = 0;
        for (RedisClusterNode node : cluster.getPartitions()) {
            if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.is(RedisClusterNode.NodeFlag.FAIL)
                    && !node.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL)) {
                covered += node.getSlots().size();
            }
        }
        return covered == SlotHash.SLOT_COUNT;
    }

    /** The connection to the master of {@code key}'s slot, as the topology last read says. */
    static StatefulRedisConnection<String, String> masterOf(StatefulRedisClusterConnection<String, String> cluster,
                                                           String key) {
        RedisClusterNode master = cluster.getPartitions().getMasterBySlot(SlotHash.getSlot(key));
        if (master == null) {
            throw new RedisException("no master serves the slot of " + key + " right now");
        }
        return cluster.getConnection(master.getNodeId());
    }

    /**
     * Completes normally when {@code CLUSTER INFO} says {@code cluster_state:ok} and every master with slots answers
     * {@code PING}, all within {@code timeout}; exceptionally otherwise.
     */
    static CompletableFuture<Void> probe(StatefulRedisClusterConnection<String, String> cluster, Duration timeout) {
        List<CompletableFuture<?>> answers = new ArrayList<>();
        answers.add(cluster.async().clusterInfo().toCompletableFuture().thenAccept(info -> {
            if (!info.contains("cluster_state:ok")) {
                throw new IllegalStateException("cluster state is not ok");
            }
        }));
        for (RedisClusterNode node : cluster.getPartitions()) {
            if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.hasNoSlots()) {
                answers.add(cluster.getConnectionAsync(node.getNodeId())
                        .thenCompose(nodeConnection -> nodeConnection.async().ping().toCompletableFuture()));
            }
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
