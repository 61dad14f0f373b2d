package io.ssegateway.host.core;

/**
 * What the host knows about how a plugin was built, for the messages about a plugin that does not fit this gateway's
 * SPI. Implemented by the class loaders of loaded plugins.
 */
public interface PluginBuild {

    /** For messages: {@code plugin 'spool' 1.0.0}. */
    String pluginName();

    /** The SPI versions the plugin declares it works with ({@code Plugin-Requires}), such as {@code >=0.1.0}. */
    String requiredSpi();

    /** The version of an SPI jar the plugin bundles (the one it was likely built against), or {@code null}. */
    String bundledSpi();
}
