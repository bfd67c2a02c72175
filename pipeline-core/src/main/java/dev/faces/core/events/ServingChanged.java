package dev.faces.core.events;

import static dev.faces.core.events.EventFormatException.check;
import static dev.faces.core.events.EventFormatException.safeId;

/**
 * What every generator replica serves: a pinned checkpoint (or none) and the policy it follows otherwise. The
 * newest one on the compacted {@code faces.serving} topic, key {@code current}, is the state; it survives
 * restarts, and every replica reads it.
 *
 * @param pinnedRunId null when nothing is pinned
 * @param policy      {@code latest} or {@code best}; null keeps each replica's configured default
 */
public record ServingChanged(String pinnedRunId, Integer pinnedEpoch, String policy) implements EventData {
    public static final String KEY = "current";

    public ServingChanged {
        if (pinnedRunId != null) {
            safeId("pinnedRunId", pinnedRunId);
            check(pinnedEpoch != null && pinnedEpoch >= 1, "pinnedEpoch must be >= 1 with a pinnedRunId, was " + pinnedEpoch);
        } else {
            check(pinnedEpoch == null, "pinnedEpoch needs a pinnedRunId");
        }
        check(policy == null || policy.equals("latest") || policy.equals("best"),
                "policy must be 'latest' or 'best', was '" + policy + "'");
    }

    @Override
    public EventType eventType() {
        return EventType.SERVING_CHANGED;
    }

    @Override
    public String aggregateId() {
        return KEY;
    }
}
