package io.ssegateway.spi.source;

/**
 * The message's data is above {@code gateway.max-message-bytes}: the {@link IllegalArgumentException} that
 * {@link MessageHandler#handle} throws for this one reason, so that a source with an HTTP API can answer 413.
 */
public class MessageTooLargeException extends IllegalArgumentException {

    public MessageTooLargeException(String message) {
        super(message);
    }
}
