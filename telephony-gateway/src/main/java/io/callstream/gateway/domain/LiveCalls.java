package io.callstream.gateway.domain;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The calls this replica holds, by call id and by Asterisk unique id, and the ones it recently ended. */
@ApplicationScoped
public class LiveCalls {
    private static final int RECENTLY_ENDED = 50_000;

    private final Map<String, LiveCall> byCallId = new ConcurrentHashMap<>();
    private final Map<String, LiveCall> byUniqueId = new ConcurrentHashMap<>();
    private final Map<String, Boolean> recentlyEnded = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(1024, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > RECENTLY_ENDED;
                }
            });

    public void add(LiveCall call) {
        byCallId.put(call.callId, call);
        byUniqueId.put(call.uniqueId, call);
    }

    public void remove(LiveCall call) {
        byCallId.remove(call.callId);
        byUniqueId.remove(call.uniqueId);
        recentlyEnded.put(call.callId, Boolean.TRUE);
    }

    public Optional<LiveCall> byCallId(String callId) {
        return Optional.ofNullable(byCallId.get(callId));
    }

    public Optional<LiveCall> byUniqueId(String uniqueId) {
        return uniqueId == null ? Optional.empty() : Optional.ofNullable(byUniqueId.get(uniqueId));
    }

    /** Whether this replica held {@code callId} and it has ended. */
    public boolean endedHere(String callId) {
        return recentlyEnded.containsKey(callId);
    }

    public Collection<LiveCall> all() {
        return byCallId.values();
    }

    public int size() {
        return byCallId.size();
    }
}
