/**
 * What the Redis-backed plugins ({@code redis}, {@code channel-registry}) share: the connection to Redis
 * ({@link io.ssegateway.redis.RedisLink}), the settings that say how to reach it
 * ({@link io.ssegateway.redis.RedisSettings}), Lua scripts run with {@code EVALSHA}
 * ({@link io.ssegateway.redis.LuaScript}) and the reconnection back-off ({@link io.ssegateway.redis.Backoff}).
 * <p>
 * A library that each of those plugins bundles in its zip's {@code lib/}, not a plugin: see the module's README for
 * why it is not a PF4J plugin dependency.
 */
package io.ssegateway.redis;
