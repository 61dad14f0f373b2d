package io.ssegateway.host.core;

/**
 * A loaded plugin as {@code /api/stats} lists it.
 *
 * @param id      the plugin id
 * @param version its version, empty when the plugin could not be read
 * @param state   PF4J's state ({@code STARTED}, {@code DISABLED}, …) or {@code FAILED}
 */
public record PluginStatus(String id, String version, String state) {
}
