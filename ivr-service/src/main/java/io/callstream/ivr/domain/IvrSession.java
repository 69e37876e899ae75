package io.callstream.ivr.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.time.Instant;
import java.util.UUID;

/**
 * A call's IVR session: its flow version, current node, the command it waits for, and its state (JSON).
 * Mapped for reading (REST, the flows' in-use check, tests); the engine reads and writes sessions through
 * {@code engine.SessionStore} in plain JDBC and never hands one to Hibernate.
 */
@Entity
@Table(name = "ivr_session")
public class IvrSession extends PanacheEntityBase {
    public static final String RUNNING = "RUNNING";
    public static final String ENDED = "ENDED";

    @Id
    public UUID id;

    @Column(name = "call_id")
    public String callId;

    @Column(name = "flow_id")
    public UUID flowId;

    @Column(name = "flow_version")
    public int flowVersion;

    @Column(name = "node_id")
    public String nodeId;

    public String status;

    /** {@link io.callstream.ivr.engine.SessionState} as JSON. */
    public String state;

    /** The command whose result moves the session on; results of any other command are stale. */
    @Column(name = "pending_command")
    public String pendingCommand;

    /** When the next queue announcement is due, while the caller waits for an agent; else null. */
    @Column(name = "announce_at")
    public Instant announceAt;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "updated_at")
    public Instant updatedAt;

    @Version
    @Column(name = "row_version")
    public int rowVersion;
}
