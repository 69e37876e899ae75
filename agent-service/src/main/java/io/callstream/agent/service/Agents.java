package io.callstream.agent.service;

import io.callstream.agent.domain.Agent;
import io.callstream.agent.domain.AgentSkill;
import io.callstream.agent.domain.AgentStatus;
import io.callstream.agent.domain.SkillGroup;
import io.callstream.contracts.agent.AgentState;
import io.callstream.contracts.agent.SkillAssignment;
import io.callstream.servicekit.problem.Problem.FieldError;
import io.callstream.servicekit.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceException;
import jakarta.persistence.TypedQuery;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Agents: create (with an OFFLINE state row), read, search, replace and delete. Every change publishes
 * the agent's whole profile in the same transaction, and is made under the agent's row lock so that
 * one agent's events leave in the order they happened.
 */
@ApplicationScoped
@Transactional
public class Agents {
    private static final Set<AgentState> ON_A_CALL = EnumSet.of(AgentState.RINGING, AgentState.BUSY);
    private static final UUID NOBODY = new UUID(0, 0);

    private final EntityManager em;
    private final ProfileEvents events;

    Agents(EntityManager em, ProfileEvents events) {
        this.em = em;
        this.events = events;
    }

    public AgentRecord create(AgentProfile profile) {
        ProfileRules.Valid v = requireValid(profile);
        requireGroups(v.skills());
        requireUnique(v, NOBODY);
        Instant now = now();
        Agent a = new Agent();
        a.id = UUID.randomUUID();
        a.createdAt = now;
        apply(a, v, now);
        em.persist(a);
        insertSkills(a.id, v.skills());
        em.persist(AgentStatus.offline(a.id, now));
        flush();
        events.publish(a, events.skills(a.id), false);
        return record(a);
    }

    public Optional<AgentRecord> get(UUID id) {
        return Optional.ofNullable(em.find(Agent.class, id)).map(this::record);
    }

    /** Replaces the whole profile, skill groups included; empty when there is no such agent. */
    public Optional<AgentRecord> replace(UUID id, AgentProfile profile) {
        Agent a = em.find(Agent.class, id, LockModeType.PESSIMISTIC_WRITE);
        if (a == null) {
            return Optional.empty();
        }
        ProfileRules.Valid v = requireValid(profile);
        requireGroups(v.skills());
        requireUnique(v, id);
        // the bulk delete first: it flushes what is pending, and the profile's own change is flushed below
        em.createQuery("DELETE FROM AgentSkill k WHERE k.agentId = :agent").setParameter("agent", id).executeUpdate();
        apply(a, v, now());
        insertSkills(id, v.skills());
        flush();
        events.publish(a, events.skills(id), false);
        return Optional.of(record(a));
    }

    /** Deletes the agent; refused (409) while it is on a call. False when there is no such agent. */
    public boolean delete(UUID id) {
        Agent a = em.find(Agent.class, id, LockModeType.PESSIMISTIC_WRITE);
        if (a == null) {
            return false;
        }
        // the state machine changes an agent's state under this row's lock: no call can start meanwhile
        AgentStatus s = em.find(AgentStatus.class, id, LockModeType.PESSIMISTIC_WRITE);
        if (s != null && ON_A_CALL.contains(s.state)) {
            String why = "agent " + a.staffNumber + " is on a call (" + s.state + " since " + s.since
                    + "); delete it when the call has ended";
            throw new ProblemException(409, "agent-on-call", why, List.of(new FieldError("state", s.state + ": on a call")));
        }
        List<SkillAssignment> last = events.skills(id);
        em.createQuery("DELETE FROM AgentSkill k WHERE k.agentId = :agent").setParameter("agent", id).executeUpdate();
        if (s != null) {
            em.remove(s);
        }
        em.remove(a);
        em.flush();
        events.publish(a, last, true);
        return true;
    }

    public Listing<AgentRecord> search(AgentQuery q, int page, int size) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        Map<String, Object> params = new HashMap<>();
        if (present(q.staffNumber())) {
            where.append(" AND a.staffNumber = :staff");
            params.put("staff", q.staffNumber().strip());
        }
        if (present(q.name())) {
            where.append(" AND lower(a.name) LIKE :name ESCAPE '\\'");
            params.put("name", "%" + likeEscaped(q.name().strip().toLowerCase(Locale.ROOT)) + "%");
        }
        if (present(q.email())) {
            where.append(" AND lower(a.email) = :email");
            params.put("email", q.email().strip().toLowerCase(Locale.ROOT));
        }
        if (present(q.phone())) {
            where.append(" AND a.phone = :phone");
            params.put("phone", q.phone().strip());
        }
        if (present(q.skillGroup())) {
            where.append(" AND EXISTS (SELECT 1 FROM AgentSkill k WHERE k.agentId = a.id AND k.skillGroupId = :group)");
            params.put("group", q.skillGroup().strip());
        }
        TypedQuery<Long> count = em.createQuery("SELECT count(a) FROM Agent a" + where, Long.class);
        params.forEach(count::setParameter);
        long total = count.getSingleResult();
        long first = (long) page * size;
        if (first >= total) {
            return new Listing<>(List.of(), total);
        }
        TypedQuery<Object[]> rows = em.createQuery("SELECT a, s FROM Agent a LEFT JOIN AgentStatus s ON s.agentId = a.id"
                + where + " ORDER BY a.staffNumber", Object[].class);
        params.forEach(rows::setParameter);
        return new Listing<>(records(rows.setFirstResult((int) first).setMaxResults(size).getResultList()), total);
    }

    /** Up to {@code limit} agents with staff numbers after {@code after} (null: from the first), in staff number order. */
    public List<AgentRecord> batchAfter(String after, int limit) {
        return records(em.createQuery("SELECT a, s FROM Agent a LEFT JOIN AgentStatus s ON s.agentId = a.id"
                        + " WHERE a.staffNumber > :after ORDER BY a.staffNumber", Object[].class)
                .setParameter("after", after == null ? "" : after).setMaxResults(limit).getResultList());
    }

    AgentRecord record(Agent a) {
        return new AgentRecord(a, events.endpoint(a.extension), memberships(List.of(a.id)).getOrDefault(a.id, List.of()),
                em.find(AgentStatus.class, a.id));
    }

    /** Rows of (Agent, AgentStatus) with their skill groups, read in one more query. */
    List<AgentRecord> records(List<Object[]> rows) {
        Map<UUID, List<AgentRecord.Membership>> skills = memberships(rows.stream().map(r -> ((Agent) r[0]).id).toList());
        List<AgentRecord> records = new ArrayList<>(rows.size());
        for (Object[] r : rows) {
            Agent a = (Agent) r[0];
            records.add(new AgentRecord(a, events.endpoint(a.extension), skills.getOrDefault(a.id, List.of()),
                    (AgentStatus) r[1]));
        }
        return records;
    }

    Map<UUID, List<AgentRecord.Membership>> memberships(Collection<UUID> agentIds) {
        if (agentIds.isEmpty()) {
            return Map.of();
        }
        Map<UUID, List<AgentRecord.Membership>> by = new LinkedHashMap<>();
        em.createQuery("SELECT k.agentId, k.skillGroupId, g.name, k.priority FROM AgentSkill k"
                        + " JOIN SkillGroup g ON g.id = k.skillGroupId WHERE k.agentId IN :ids"
                        + " ORDER BY k.priority, k.skillGroupId", Object[].class)
                .setParameter("ids", agentIds).getResultList()
                .forEach(r -> by.computeIfAbsent((UUID) r[0], k -> new ArrayList<>())
                        .add(new AgentRecord.Membership((String) r[1], (String) r[2], (Integer) r[3])));
        return by;
    }

    private static ProfileRules.Valid requireValid(AgentProfile profile) {
        if (profile == null) {
            throw new ProblemException(400, "malformed-body", "the request body must be an agent", List.of());
        }
        List<FieldError> errors = new ArrayList<>();
        ProfileRules.Valid v = ProfileRules.check(profile, "", errors);
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        return v;
    }

    /** Every named skill group exists; they are share-locked, so none is deleted before this commits. */
    private void requireGroups(List<SkillAssignment> skills) {
        if (skills.isEmpty()) {
            return;
        }
        List<String> ids = skills.stream().map(SkillAssignment::skillGroupId).toList();
        Set<String> found = em.createQuery("FROM SkillGroup g WHERE g.id IN :ids", SkillGroup.class)
                .setParameter("ids", ids).setLockMode(LockModeType.PESSIMISTIC_READ).getResultList().stream()
                .map(g -> g.id).collect(Collectors.toSet());
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            if (!found.contains(ids.get(i))) {
                errors.add(new FieldError("skills[" + i + "].skillGroupId", "there is no skill group '" + ids.get(i) + "'"));
            }
        }
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
    }

    /** Staff number, email (ignoring case) and extension are each one agent's; 409 names every clash. */
    private void requireUnique(ProfileRules.Valid v, UUID self) {
        List<Agent> clashes = em.createQuery("FROM Agent a WHERE (a.staffNumber = :staff OR lower(a.email) = :email"
                        + " OR a.extension = :extension) AND a.id <> :self", Agent.class)
                .setParameter("staff", v.staffNumber()).setParameter("email", v.email().toLowerCase(Locale.ROOT))
                .setParameter("extension", v.extension()).setParameter("self", self).getResultList();
        List<FieldError> errors = new ArrayList<>();
        for (Agent other : clashes) {
            if (other.staffNumber.equals(v.staffNumber())) {
                errors.add(new FieldError("staffNumber", "agent " + other.staffNumber + " has this staff number already"));
            }
            if (other.email.equalsIgnoreCase(v.email())) {
                errors.add(new FieldError("email", "agent " + other.staffNumber + " has this email already"));
            }
            if (other.extension.equals(v.extension())) {
                errors.add(new FieldError("extension", "agent " + other.staffNumber + " has extension " + v.extension() + " already"));
            }
        }
        if (!errors.isEmpty()) {
            throw conflict(errors);
        }
    }

    private void insertSkills(UUID agentId, List<SkillAssignment> skills) {
        Set<String> seen = new HashSet<>();
        for (SkillAssignment s : skills) {
            if (seen.add(s.skillGroupId())) {
                AgentSkill k = new AgentSkill();
                k.agentId = agentId;
                k.skillGroupId = s.skillGroupId();
                k.priority = s.priority();
                em.persist(k);
            }
        }
    }

    private void flush() {
        try {
            em.flush();
        } catch (PersistenceException e) {
            String field = switch (UniqueViolation.constraintOf(e).orElseThrow(() -> e)) {
                case "agent_staff_number" -> "staffNumber";
                case "agent_email" -> "email";
                case "agent_extension" -> "extension";
                default -> "body";
            };
            throw conflict(List.of(new FieldError(field, "another agent has this " + field + " already")));
        }
    }

    private static void apply(Agent a, ProfileRules.Valid v, Instant now) {
        a.staffNumber = v.staffNumber();
        a.name = v.name();
        a.nickname = v.nickname();
        a.email = v.email();
        a.phone = v.phone();
        a.extension = v.extension();
        a.role = v.role();
        a.updatedAt = now;
    }

    static ProblemException invalid(List<FieldError> errors) {
        String detail = errors.stream().map(e -> e.field() + ": " + e.message()).collect(Collectors.joining("; "));
        return new ProblemException(400, "validation", detail, errors);
    }

    static ProblemException conflict(List<FieldError> errors) {
        String detail = errors.stream().map(e -> e.field() + ": " + e.message()).collect(Collectors.joining("; "));
        return new ProblemException(409, "conflict", detail, errors);
    }

    static boolean present(String s) {
        return s != null && !s.isBlank();
    }

    private static String likeEscaped(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
