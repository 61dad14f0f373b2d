package io.ssegateway.plugin.jwt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The channels a token grants, from a claim holding channel ids and patterns: {@code "room-1"} (exactly that
 * channel), {@code "room-*"} ({@code *} stands for any run of characters, none included), {@code "*"} (every
 * channel), and templates that take the value of another claim: {@code "user-{sub}"} grants {@code user-alice} to the
 * token of {@code alice}. A template value is literal text (a {@code *} in it is no wildcard), and a template whose
 * claim is missing or not a string or number grants nothing. A {@code {} that does not open a valid template is
 * literal text.
 */
final class ChannelGrant {

    /** More patterns than this in one token is refused: matching cost must stay bounded. */
    static final int MAX_PATTERNS = 1000;
    /** A pattern longer than this (after templates) is refused. */
    static final int MAX_PATTERN_CHARS = 1024;

    /** One compiled pattern: characters, and which of them are wildcards. */
    private record Pattern(char[] chars, boolean[] wildcard, boolean everything) {
    }

    private final List<Pattern> patterns;

    private ChannelGrant(List<Pattern> patterns) {
        this.patterns = patterns;
    }

    /** A grant of nothing. */
    static final ChannelGrant NONE = new ChannelGrant(List.of());

    /**
     * Compiles the claim's value: an array of strings, or one string.
     *
     * @throws IllegalArgumentException the value is not a string or an array of strings, or too large (the message
     *                                  says so without quoting the token)
     */
    static ChannelGrant of(Object claimValue, Map<String, Object> claims) {
        if (claimValue == null) {
            return NONE;
        }
        List<?> values = claimValue instanceof List<?> list ? list : List.of(claimValue);
        if (values.size() > MAX_PATTERNS) {
            throw new IllegalArgumentException("it lists more than " + MAX_PATTERNS + " channels");
        }
        List<Pattern> patterns = new ArrayList<>(values.size());
        for (Object value : values) {
            if (!(value instanceof String text)) {
                throw new IllegalArgumentException("it must be a string or an array of strings");
            }
            Pattern pattern = compile(text, claims);
            if (pattern != null) {
                patterns.add(pattern);
            }
        }
        return new ChannelGrant(List.copyOf(patterns));
    }

    /** The compiled pattern, or {@code null} if a template's claim has no usable value. */
    private static Pattern compile(String text, Map<String, Object> claims) {
        StringBuilder chars = new StringBuilder(text.length() + 16);
        List<Integer> wildcards = new ArrayList<>();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '*') {
                wildcards.add(chars.length());
                chars.append('*');
            } else if (c == '{') {
                int close = text.indexOf('}', i + 1);
                String name = close < 0 ? null : text.substring(i + 1, close);
                if (name == null || name.isEmpty() || name.contains("{") || name.isBlank()) {
                    chars.append(c);
                    continue;
                }
                Object value = new ClaimPath(name, List.of(name.split("\\.", -1))).find(claims);
                String literal = value instanceof String string ? string
                        : value instanceof Number number && isWhole(number) ? Long.toString(number.longValue()) : null;
                if (literal == null || literal.isEmpty()) {
                    return null;
                }
                chars.append(literal);
                i = close;
            } else {
                chars.append(c);
            }
            if (chars.length() > MAX_PATTERN_CHARS) {
                throw new IllegalArgumentException("a channel pattern is longer than " + MAX_PATTERN_CHARS + " characters");
            }
        }
        boolean[] wildcard = new boolean[chars.length()];
        wildcards.forEach(at -> wildcard[at] = true);
        boolean everything = chars.length() == 1 && wildcard[0];
        return new Pattern(chars.toString().toCharArray(), wildcard, everything);
    }

    private static boolean isWhole(Number number) {
        return number instanceof Long || number instanceof Integer || number instanceof Short || number instanceof Byte;
    }

    /** Whether a pattern is exactly {@code *} (needed for broadcasts). */
    boolean grantsEverything() {
        for (Pattern pattern : patterns) {
            if (pattern.everything) {
                return true;
            }
        }
        return false;
    }

    /** The first of {@code channelIds} no pattern covers, or {@code null} if all are covered. */
    String firstNotCovered(List<String> channelIds) {
        for (String channel : channelIds) {
            if (!covers(channel)) {
                return channel;
            }
        }
        return null;
    }

    boolean covers(String channelId) {
        for (Pattern pattern : patterns) {
            if (matches(pattern, channelId)) {
                return true;
            }
        }
        return false;
    }

    /** Wildcard matching with backtracking to the last {@code *}: O(pattern × channel) at worst, no recursion. */
    private static boolean matches(Pattern pattern, String channel) {
        char[] p = pattern.chars;
        boolean[] wild = pattern.wildcard;
        int pi = 0;
        int ci = 0;
        int starAt = -1;
        int starMatchedUpTo = 0;
        while (ci < channel.length()) {
            if (pi < p.length && wild[pi]) {
                starAt = pi++;
                starMatchedUpTo = ci;
            } else if (pi < p.length && p[pi] == channel.charAt(ci)) {
                pi++;
                ci++;
            } else if (starAt >= 0) {
                pi = starAt + 1;
                ci = ++starMatchedUpTo;
            } else {
                return false;
            }
        }
        while (pi < p.length && wild[pi]) {
            pi++;
        }
        return pi == p.length;
    }
}
