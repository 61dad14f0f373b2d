/**
 * The plugin kit: small helpers that the gateway and its plugins share but that are <em>not</em> part of the plugin
 * contract (the SPI, {@code io.ssegateway.spi}). A plugin that uses the kit bundles it in its zip's {@code lib/} like
 * any other library and loads its own copy, so the kit can evolve without a new SPI version.
 * <ul>
 *   <li>{@link io.ssegateway.kit.RateLimitedLog} — warnings that may repeat at message rate;</li>
 *   <li>{@link io.ssegateway.kit.ChannelIds} — the channel-id rule;</li>
 *   <li>{@link io.ssegateway.kit.BearerToken} — {@code Authorization: Bearer} checks in constant time;</li>
 *   <li>{@link io.ssegateway.kit.QueryParams}, {@link io.ssegateway.kit.PercentDecoder} — strict URL decoding;</li>
 *   <li>{@link io.ssegateway.kit.StrictJson} — how JSON endpoints read request bodies;</li>
 *   <li>{@link io.ssegateway.kit.SendBody} — the body of every publish endpoint.</li>
 * </ul>
 * The kit depends on Jackson (databind) and on nothing of the gateway.
 */
package io.ssegateway.kit;
