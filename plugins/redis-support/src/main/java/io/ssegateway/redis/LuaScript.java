package io.ssegateway.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisScriptingCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script shipped in a plugin jar, run with {@code EVALSHA}; when Redis does not know it (first use, or after a
 * restart or {@code SCRIPT FLUSH}) it is loaded with {@code SCRIPT LOAD} and run again. Thread-safe.
 */
public final class LuaScript {

    private final String source;
    private final String sha;

    private LuaScript(String source) {
        this.source = source;
        try {
            this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }

    /**
     * The script {@code name}, a resource of {@code owner}'s jar ({@link Class#getResourceAsStream}: relative to its
     * package, or absolute with a leading {@code /}).
     */
    public static LuaScript load(Class<?> owner, String name) {
        try (InputStream in = owner.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the plugin jar lacks its script " + name);
            }
            return new LuaScript(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the script " + name, e);
        }
    }

    /** The script's text, as {@code SCRIPT LOAD} and {@code EVAL} take it. */
    public String source() {
        return source;
    }

    /** Runs the script ({@code EVALSHA}, loading it first if Redis does not know it). */
    public <T> T run(RedisScriptingCommands<String, String> redis, ScriptOutputType type, String[] keys, String... arguments) {
        try {
            return redis.evalsha(sha, type, keys, arguments);
        } catch (RedisNoScriptException notLoaded) {
            redis.scriptLoad(source);
            return redis.evalsha(sha, type, keys, arguments);
        }
    }
}
