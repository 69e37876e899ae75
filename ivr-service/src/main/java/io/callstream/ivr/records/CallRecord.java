package io.callstream.ivr.records;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.time.Instant;
import java.util.UUID;

/** One call's record (table {@code call_record}); {@link CallRecords} keeps it up to date from events. */
@Entity
@Table(name = "call_record")
public class CallRecord extends PanacheEntityBase {
    @Id
    @Column(name = "call_id")
    public String callId;

    public String direction;

    @Column(name = "caller_number")
    public String callerNumber;

    @Column(name = "called_number")
    public String calledNumber;

    @Column(name = "attempt_id")
    public String attemptId;

    @Column(name = "session_id")
    public UUID sessionId;

    @Column(name = "flow_id")
    public UUID flowId;

    @Column(name = "flow_name")
    public String flowName;

    @Column(name = "flow_version")
    public Integer flowVersion;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "answered_at")
    public Instant answeredAt;

    @Column(name = "ivr_ended_at")
    public Instant ivrEndedAt;

    @Column(name = "queued_at")
    public Instant queuedAt;

    @Column(name = "agent_ringing_at")
    public Instant agentRingingAt;

    @Column(name = "agent_answered_at")
    public Instant agentAnsweredAt;

    @Column(name = "ended_at")
    public Instant endedAt;

    @Column(name = "skill_group")
    public String skillGroup;

    /** JSON list of {@link CallRecordView.AgentLeg}. */
    public String agents;

    /** JSON list of {@link io.callstream.contracts.ivr.KeyPress}. */
    @Column(name = "key_trail")
    public String keyTrail;

    /** Why the caller last left a queue without an agent ({@link io.callstream.contracts.routing.QueueExitReason}). */
    @Column(name = "queue_exit")
    public String queueExit;

    /** The outside number or extension the caller was bridged with, if any. */
    @Column(name = "transferred_to")
    public String transferredTo;

    /** How the IVR session ended ({@link io.callstream.contracts.ivr.SessionOutcome}), or NO_FLOW. */
    @Column(name = "ivr_outcome")
    public String ivrOutcome;

    /** {@link CallEndStatus}; null while the call is on. */
    @Column(name = "end_status")
    public String endStatus;

    @Column(name = "hung_up_by")
    public String hungUpBy;

    @Column(name = "hangup_cause")
    public Integer hangupCause;

    @Column(name = "satisfaction_key")
    public String satisfactionKey;

    @Column(name = "satisfaction_label")
    public String satisfactionLabel;

    /** JSON object: the IVR session's variables (the final ones once it ended). */
    public String variables;

    @Column(name = "updated_at")
    public Instant updatedAt;

    @Version
    @Column(name = "row_version")
    public int rowVersion;
}
