package io.ssegateway.spi.storage;

import io.ssegateway.spi.SseEvent;
import java.util.List;
import java.util.Objects;

/**
 * One page of the answer to {@link MessageStorage#messagesAfter}: the events to replay, oldest first, whether the
 * history reached back to the id asked for, and whether more events follow this page.
 *
 * @param events   stored events after the asked id, oldest first, each with its stream id; when {@code complete} is
 *                 {@code false}: the oldest events still retained
 * @param complete {@code true} if the asked id is known (retained, or the last one evicted) so {@code events} start
 *                 exactly after it; {@code false} if it is older than the history or unknown, in which case the
 *                 gateway first sends the client a {@code gap} event
 * @param more     {@code true} if events after the last one of this page may be retained: the gateway asks again,
 *                 after that event's stream id
 */
public record Replay(List<SseEvent> events, boolean complete, boolean more) {

    public Replay {
        events = List.copyOf(Objects.requireNonNull(events, "events"));
        if (more && events.isEmpty()) {
            throw new IllegalArgumentException("a page that says more events follow must hold at least one");
        }
    }

    /** Exactly the events after the asked id; {@code more} if the page was cut at its byte limit. */
    public static Replay complete(List<SseEvent> eventsAfter, boolean more) {
        return new Replay(eventsAfter, true, more);
    }

    /** The asked id is older than the history or unknown; {@code oldestRetained} starts with the oldest event kept. */
    public static Replay gap(List<SseEvent> oldestRetained, boolean more) {
        return new Replay(oldestRetained, false, more);
    }

    /** The oldest id in {@link #events}, or {@code null}: the {@code earliest_id} of a {@code gap} event. */
    public String earliestId() {
        return events.isEmpty() ? null : events.get(0).streamId();
    }

    /** The stream id to ask for the next page after. */
    public String lastId() {
        return events.isEmpty() ? null : events.get(events.size() - 1).streamId();
    }
}
