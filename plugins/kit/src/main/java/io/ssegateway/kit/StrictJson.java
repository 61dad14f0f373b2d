package io.ssegateway.kit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;

/**
 * How every JSON endpoint reads a request body: one Jackson configuration, stricter than Jackson's defaults, so that
 * what the gateway accepts it can also store and send on unchanged.
 * <ul>
 *   <li>the body is UTF-8 (RFC 8259), decoded strictly;</li>
 *   <li>one JSON value and nothing after it; no duplicate member names;</li>
 *   <li>no {@code NaN} or {@code Infinity}, and no number too large for a double ({@code 1e400}): written back they
 *       would not be JSON;</li>
 *   <li>no lone surrogate ({@code "\ud800"}) in a string or a member name: it has no UTF-8 form;</li>
 *   <li>at most {@value #MAX_NESTING_DEPTH} levels of nesting, strings of at most {@value #MAX_STRING_LENGTH}
 *       characters (Jackson's own default, fixed here so that it cannot drift), numbers of at most
 *       {@value #MAX_NUMBER_LENGTH} digits.</li>
 * </ul>
 * Every refusal is an {@link IllegalArgumentException} whose message can go to the client as it is (a 400).
 */
public final class StrictJson {

    public static final int MAX_NESTING_DEPTH = 100;
    public static final int MAX_STRING_LENGTH = 20_000_000;
    public static final int MAX_NUMBER_LENGTH = 1000;

    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING_DEPTH)
                            .maxStringLength(MAX_STRING_LENGTH)
                            .maxNumberLength(MAX_NUMBER_LENGTH)
                            .build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private StrictJson() {
    }

    /** A new empty object, for a reply. */
    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /**
     * Reads a request body that must be one JSON object.
     *
     * @throws IllegalArgumentException the body is not UTF-8, not JSON, not an object, or breaks a rule above
     */
    public static ObjectNode parseObject(byte[] body) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("malformed JSON: the body is not valid UTF-8");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (StreamConstraintsException e) {
            throw new IllegalArgumentException("JSON beyond the limits: at most " + MAX_NESTING_DEPTH + " levels of "
                    + "nesting, strings of at most " + MAX_STRING_LENGTH + " characters, numbers of at most "
                    + MAX_NUMBER_LENGTH + " digits");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object");
        }
        checkValues(root);
        return (ObjectNode) root;
    }

    /**
     * The text of an optional string member: {@code null} when absent or JSON {@code null}.
     *
     * @throws IllegalArgumentException the member is present with another type
     */
    public static String optionalString(JsonNode object, String field) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string");
        }
        return value.textValue();
    }

    /** Whether a {@code Content-Type} value names JSON: {@code application/json} or {@code application/*+json}. */
    public static boolean isJsonContentType(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
        return mediaType.equals("application/json") || mediaType.startsWith("application/") && mediaType.endsWith("+json");
    }

    /** What Jackson accepts but the gateway cannot pass on: non-finite numbers and lone surrogates. */
    private static void checkValues(JsonNode root) {
        Deque<JsonNode> pending = new ArrayDeque<>();
        pending.push(root);
        while (!pending.isEmpty()) {
            JsonNode node = pending.pop();
            if (node.isTextual()) {
                checkText(node.textValue());
            } else if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
                throw new IllegalArgumentException("a JSON number is out of range (beyond ±" + Double.MAX_VALUE + ")");
            } else if (node.isObject()) {
                for (Map.Entry<String, JsonNode> member : node.properties()) {
                    checkText(member.getKey());
                    pending.push(member.getValue());
                }
            } else if (node.isArray()) {
                node.forEach(pending::push);
            }
        }
    }

    private static void checkText(String text) {
        if (!Unicode.isWellFormed(text)) {
            throw new IllegalArgumentException("a JSON string is not valid Unicode (it holds half of a surrogate pair)");
        }
    }
}
