package io.ssegateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChunkedDecoderTest {

    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final ChunkedDecoder decoder = new ChunkedDecoder(body::write);

    private static final String ENCODED = "5\r\nhello\r\n1a;ext=1\r\n, chunked world of bytes!!\r\n0\r\nTrailer: x\r\n\r\n";

    @Test
    void decodesChunksWithExtensionsAndTrailersInOneRead() {
        byte[] bytes = ENCODED.getBytes(StandardCharsets.US_ASCII);
        decoder.feed(bytes, 0, bytes.length);
        assertEquals("hello, chunked world of bytes!!", body.toString(StandardCharsets.US_ASCII));
        assertTrue(decoder.done());
    }

    @Test
    void decodesTheSameWhenSplitAtEveryByte() {
        byte[] bytes = ENCODED.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < bytes.length; i++) {
            assertFalse(decoder.done());
            decoder.feed(bytes, i, 1);
        }
        assertEquals("hello, chunked world of bytes!!", body.toString(StandardCharsets.US_ASCII));
        assertTrue(decoder.done());
    }

    @Test
    void malformedFramingIsAnError() {
        byte[] bytes = "zz\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThrows(IllegalStateException.class, () -> decoder.feed(bytes, 0, bytes.length));
        byte[] noCrlf = "3\r\nabcX".getBytes(StandardCharsets.US_ASCII);
        assertThrows(IllegalStateException.class, () -> new ChunkedDecoder((b, o, l) -> { }).feed(noCrlf, 0, noCrlf.length));
    }
}
