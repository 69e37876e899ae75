package io.callstream.ivr.domain;

import io.callstream.contracts.ivr.KeyPress;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.quarkus.panache.common.Sort;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/** One entry of a session's key trail (table {@code ivr_key_press}), appended as the caller presses keys. */
@Entity
@Table(name = "ivr_key_press")
@IdClass(KeyPressRow.Key.class)
public class KeyPressRow extends PanacheEntityBase {
    @Id
    @Column(name = "session_id")
    public UUID sessionId;

    @Id
    public int seq;

    @Column(name = "node_id")
    public String nodeId;

    public String label;

    public String keys;

    @Column(name = "pressed_at")
    public Instant pressedAt;

    /** The session's trail, oldest first. */
    public static List<KeyPress> trail(UUID sessionId) {
        return KeyPressRow.<KeyPressRow>list("sessionId", Sort.by("seq"), sessionId).stream()
                .map(r -> new KeyPress(r.nodeId, r.label, r.keys, r.pressedAt)).toList();
    }

    public static class Key implements Serializable {
        public UUID sessionId;
        public int seq;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && seq == k.seq && Objects.equals(sessionId, k.sessionId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(sessionId, seq);
        }
    }
}
