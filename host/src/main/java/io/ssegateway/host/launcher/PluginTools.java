package io.ssegateway.host.launcher;

import io.ssegateway.host.config.GatewayConfig;
import io.ssegateway.host.core.ConfigurationException;
import io.ssegateway.host.plugin.FactoryCatalog;
import io.ssegateway.host.plugin.PluginHost;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;

/**
 * {@code bin/sse-gateway <command> [options]}: runs a command that a plugin of {@code gateway.plugins-dir} provides
 * (a {@link ToolProvider} it lists in {@code META-INF/services}), such as the jwt plugin's {@code token}. The host
 * knows no command itself, so a plugin brings its own tools along with its libraries.
 */
final class PluginTools {

    private PluginTools() {
    }

    /** Runs {@code args[0]} with the other arguments; returns the exit code. */
    static int run(Path home, Map<String, String> environment, String[] args, PrintWriter out, PrintWriter err) {
        GatewayConfig config = GatewayConfig.load(home.resolve("conf/application.yaml"), environment);
        Path pluginsDir = home.resolve(config.node("gateway").get("plugins-dir", "plugins"));
        try (PluginHost plugins = PluginHost.load(pluginsDir, FactoryCatalog.builtIns())) {
            List<ToolProvider> tools = plugins.tools();
            String name = args[0];
            Optional<ToolProvider> tool = tools.stream().filter(candidate -> candidate.name().equals(name)).findFirst();
            if (tool.isEmpty()) {
                boolean help = name.equals("help") || name.equals("--help") || name.equals("-h");
                (help ? out : err).println((help ? "" : "sse-gateway: unknown command '" + name + "'. ")
                        + "Run without arguments to start the gateway"
                        + (tools.isEmpty() ? "; the plugins in " + pluginsDir + " provide no commands."
                        : ", or one of the commands of its plugins:\n" + tools.stream()
                        .map(candidate -> "  " + candidate.name() + candidate.description().map(text -> "  " + text)
                                .orElse("")).collect(Collectors.joining("\n"))));
                (help ? out : err).flush();
                return help ? 0 : 2;
            }
            return tool.get().run(out, err, Arrays.copyOfRange(args, 1, args.length));
        } catch (ConfigurationException e) {
            err.println("sse-gateway: " + e.getMessage());
            err.flush();
            return 2;
        }
    }

    static PrintWriter writer(java.io.PrintStream stream) {
        return new PrintWriter(new java.io.OutputStreamWriter(stream, StandardCharsets.UTF_8), true);
    }
}
