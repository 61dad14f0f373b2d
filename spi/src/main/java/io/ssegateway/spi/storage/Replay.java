package io.ssegateway.spi.storage;

import io.ssegateway.spi.SseEvent;
import java.util.List;
import java.util.Objects;

/**
 * The answer to {@link MessageStorage#messagesAfter}: the events to replay, oldest first, and whether the
 * history reached back to the id asked for.
 *
 * @param events   the stored events after the asked id, oldest first, each with its stream id; when
 *                 {@code complete} is {@code false}: every event still retained
 * @param complete {@code true} if the asked id is known (retained, or the last one evicted) so {@code events} is
 *                 exactly what the client missed; {@code false} if it is older than the history or unknown, in
 *                 which case the gateway first sends the client a {@code gap} event
 */
public record Replay(List<SseEvent> events, boolean complete) {

    public Replay {
        events = List.copyOf(Objects.requireNonNull(events, "events"));
    }

    /** Exactly the events after the asked id. */
    public static Replay complete(List<SseEvent> eventsAfter) {
        return new Replay(eventsAfter, true);
    }

    /** The asked id is older than the history or unknown; {@code allRetained} is everything still kept. */
    public static Replay gap(List<SseEvent> allRetained) {
        return new Replay(allRetained, false);
    }

    /** The oldest id in {@link #events}, or {@code null}: the {@code earliest_id} of a {@code gap} event. */
    public String earliestId() {
        return events.isEmpty() ? null : events.get(0).id();
    }
}
