package io.callstream.agent.service;

import io.callstream.agent.domain.Agent;
import io.callstream.agent.domain.AgentSkill;
import io.callstream.agent.domain.AgentStatus;
import io.callstream.agent.domain.SkillGroup;
import io.callstream.contracts.agent.SkillGroupChanged;
import io.callstream.servicekit.outbox.Outbox;
import io.callstream.servicekit.problem.Problem.FieldError;
import io.callstream.servicekit.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;

import java.text.Normalizer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Skill groups and their members. A group's changes publish {@code skill-group-changed} (keyed by the
 * group); a membership change publishes the member's whole profile (keyed by the agent), because
 * routing reads memberships from agent profiles.
 */
@ApplicationScoped
@Transactional
public class SkillGroups {
    public static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    static final int MAX_NAME = 100;
    static final int MAX_AFTER_CALL_WORK = 3600;

    /** A group with how many agents serve it. */
    public record GroupRecord(SkillGroup group, long memberCount) {
    }

    /** A member of a group: the agent, its priority there and its state now. */
    public record MemberRecord(Agent agent, String endpoint, int priority, AgentStatus status) {
    }

    /** The member after an add or a priority change, and whether it was added. */
    public record MemberChange(MemberRecord member, boolean added) {
    }

    private final EntityManager em;
    private final Outbox outbox;
    private final ProfileEvents profiles;

    SkillGroups(EntityManager em, Outbox outbox, ProfileEvents profiles) {
        this.em = em;
        this.outbox = outbox;
        this.profiles = profiles;
    }

    public GroupRecord create(SkillGroupDetails d) {
        requireBody(d);
        List<FieldError> errors = new ArrayList<>();
        String id = ProfileRules.trim(d.id());
        if (id != null && !ID.matcher(id).matches()) {
            errors.add(new FieldError("id", "'" + id + "' is not a skill group id: lower-case letters, digits and '-',"
                    + " starting with a letter or digit, at most 63 characters"));
        }
        String name = checkDetails(d, errors);
        if (!errors.isEmpty()) {
            throw Agents.invalid(errors);
        }
        if (id == null) {
            id = freeId(slugOf(name));
        } else if (em.find(SkillGroup.class, id) != null) {
            throw Agents.conflict(List.of(new FieldError("id", "skill group '" + id + "' exists already")));
        }
        requireFreeName(name, id);
        Instant now = Agents.now();
        SkillGroup g = new SkillGroup();
        g.id = id;
        g.createdAt = now;
        apply(g, name, d, now);
        em.persist(g);
        flush();
        publish(g, false);
        return new GroupRecord(g, 0);
    }

    public Optional<GroupRecord> get(String id) {
        return Optional.ofNullable(em.find(SkillGroup.class, id)).map(g -> new GroupRecord(g, memberCount(id)));
    }

    public Listing<GroupRecord> list(int page, int size) {
        long total = em.createQuery("SELECT count(g) FROM SkillGroup g", Long.class).getSingleResult();
        long first = (long) page * size;
        if (first >= total) {
            return new Listing<>(List.of(), total);
        }
        List<GroupRecord> items = em.createQuery("SELECT g, (SELECT count(k) FROM AgentSkill k WHERE k.skillGroupId = g.id)"
                        + " FROM SkillGroup g ORDER BY lower(g.name), g.id", Object[].class)
                .setFirstResult((int) first).setMaxResults(size).getResultList().stream()
                .map(r -> new GroupRecord((SkillGroup) r[0], (Long) r[1])).toList();
        return new Listing<>(items, total);
    }

    /** Replaces name, reception limit and after-call work; the id stays. Empty when there is no such group. */
    public Optional<GroupRecord> replace(String id, SkillGroupDetails d) {
        SkillGroup g = em.find(SkillGroup.class, id, LockModeType.PESSIMISTIC_WRITE);
        if (g == null) {
            return Optional.empty();
        }
        requireBody(d);
        List<FieldError> errors = new ArrayList<>();
        String given = ProfileRules.trim(d.id());
        if (given != null && !given.equals(id)) {
            errors.add(new FieldError("id", "a skill group's id cannot change (flows and routing name it by its id);"
                    + " create a new group instead"));
        }
        String name = checkDetails(d, errors);
        if (!errors.isEmpty()) {
            throw Agents.invalid(errors);
        }
        requireFreeName(name, id);
        apply(g, name, d, Agents.now());
        flush();
        publish(g, false);
        return Optional.of(new GroupRecord(g, memberCount(id)));
    }

    /** Deletes the group; refused (409) while it has members. False when there is no such group. */
    public boolean delete(String id) {
        SkillGroup g = em.find(SkillGroup.class, id, LockModeType.PESSIMISTIC_WRITE);
        if (g == null) {
            return false;
        }
        long members = memberCount(id);
        if (members > 0) {
            String why = "skill group '" + id + "' has " + members + (members == 1 ? " member" : " members")
                    + "; remove them from it first";
            throw new ProblemException(409, "skill-group-has-members", why, List.of(new FieldError("members", why)));
        }
        em.remove(g);
        em.flush();
        publish(g, true);
        return true;
    }

    /** The group's members, highest priority first, then by staff number. Empty when there is no such group. */
    public Optional<Listing<MemberRecord>> members(String id, int page, int size) {
        if (em.find(SkillGroup.class, id) == null) {
            return Optional.empty();
        }
        long total = memberCount(id);
        long first = (long) page * size;
        if (first >= total) {
            return Optional.of(new Listing<>(List.of(), total));
        }
        List<MemberRecord> items = em.createQuery("SELECT a, k.priority, s FROM AgentSkill k JOIN Agent a ON a.id = k.agentId"
                        + " LEFT JOIN AgentStatus s ON s.agentId = a.id WHERE k.skillGroupId = :group"
                        + " ORDER BY k.priority, a.staffNumber", Object[].class)
                .setParameter("group", id).setFirstResult((int) first).setMaxResults(size).getResultList().stream()
                .map(r -> new MemberRecord((Agent) r[0], profiles.endpoint(((Agent) r[0]).extension), (Integer) r[1],
                        (AgentStatus) r[2])).toList();
        return Optional.of(new Listing<>(items, total));
    }

    /** Adds the agent to the group, or changes its priority there (null: 3). */
    public MemberChange setMember(String groupId, UUID agentId, Integer priority) {
        int p = priority == null ? ProfileRules.DEFAULT_PRIORITY : priority;
        if (p < 1 || p > 5) {
            throw ProblemException.invalid("priority", priority + " is not a priority: 1 (highest) to 5 (lowest)");
        }
        requireGroupShared(groupId);
        Agent a = lockAgent(agentId);
        AgentSkill k = em.find(AgentSkill.class, key(agentId, groupId));
        boolean added = k == null;
        if (added) {
            k = new AgentSkill();
            k.agentId = agentId;
            k.skillGroupId = groupId;
            k.priority = p;
            em.persist(k);
        } else if (k.priority != p) {
            k.priority = p;
        } else {
            return new MemberChange(member(a, p), false); // nothing changed: nothing to publish
        }
        a.updatedAt = Agents.now();
        em.flush();
        profiles.publish(a, profiles.skills(agentId), false);
        return new MemberChange(member(a, p), added);
    }

    /** Takes the agent out of the group; 404 when it is not a member. */
    public void removeMember(String groupId, UUID agentId) {
        requireGroupShared(groupId);
        Agent a = lockAgent(agentId);
        AgentSkill k = em.find(AgentSkill.class, key(agentId, groupId));
        if (k == null) {
            throw ProblemException.notFound("agent " + a.staffNumber + " is not a member of skill group '" + groupId + "'");
        }
        em.remove(k);
        a.updatedAt = Agents.now();
        em.flush();
        profiles.publish(a, profiles.skills(agentId), false);
    }

    /** {@code name} lower-cased, accents dropped, everything but letters and digits turned into single dashes. */
    static String slugOf(String name) {
        String ascii = Normalizer.normalize(name, Normalizer.Form.NFD).replaceAll("\\p{M}", "");
        String slug = ascii.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (slug.length() > 63) {
            slug = slug.substring(0, 63).replaceAll("-+$", "");
        }
        return slug.isEmpty() ? "group" : slug;
    }

    /** {@code base}, or base-2, base-3… when taken. */
    private String freeId(String base) {
        if (em.find(SkillGroup.class, base) == null) {
            return base;
        }
        for (int n = 2; ; n++) {
            String suffix = "-" + n;
            String stem = base.length() + suffix.length() > 63 ? base.substring(0, 63 - suffix.length()) : base;
            String candidate = stem + suffix;
            if (em.find(SkillGroup.class, candidate) == null) {
                return candidate;
            }
        }
    }

    private String checkDetails(SkillGroupDetails d, List<FieldError> errors) {
        String name = ProfileRules.trim(d.name());
        if (name == null) {
            errors.add(new FieldError("name", "is required"));
        } else if (name.length() > MAX_NAME) {
            errors.add(new FieldError("name", "is longer than " + MAX_NAME + " characters"));
        } else if (name.chars().anyMatch(Character::isISOControl)) {
            errors.add(new FieldError("name", "must not contain control characters"));
        }
        if (d.receptionLimit() != null && d.receptionLimit() < 1) {
            errors.add(new FieldError("receptionLimit", "must be 1 or more (1 for voice: one call at a time)"));
        }
        Integer acw = d.afterCallWorkSeconds();
        if (acw != null && (acw < 0 || acw > MAX_AFTER_CALL_WORK)) {
            errors.add(new FieldError("afterCallWorkSeconds", "must be from 0 to " + MAX_AFTER_CALL_WORK
                    + " seconds, or absent for the global default"));
        }
        return name;
    }

    private void requireFreeName(String name, String self) {
        List<String> taken = em.createQuery("SELECT g.id FROM SkillGroup g WHERE lower(g.name) = :name AND g.id <> :self",
                        String.class)
                .setParameter("name", name.toLowerCase(Locale.ROOT)).setParameter("self", self).getResultList();
        if (!taken.isEmpty()) {
            throw Agents.conflict(List.of(new FieldError("name", "skill group '" + taken.get(0) + "' is named '" + name + "' already")));
        }
    }

    private static void requireBody(SkillGroupDetails d) {
        if (d == null) {
            throw new ProblemException(400, "malformed-body", "the request body must be a skill group", List.of());
        }
    }

    private static void apply(SkillGroup g, String name, SkillGroupDetails d, Instant now) {
        g.name = name;
        g.receptionLimit = d.receptionLimit() == null ? 1 : d.receptionLimit();
        g.afterCallWorkSeconds = d.afterCallWorkSeconds();
        g.updatedAt = now;
    }

    /** The group exists, share-locked so that it is not deleted while a member is added. */
    private void requireGroupShared(String groupId) {
        if (em.find(SkillGroup.class, groupId, LockModeType.PESSIMISTIC_READ) == null) {
            throw ProblemException.notFound("no skill group '" + groupId + "'");
        }
    }

    private Agent lockAgent(UUID agentId) {
        Agent a = em.find(Agent.class, agentId, LockModeType.PESSIMISTIC_WRITE);
        if (a == null) {
            throw ProblemException.notFound("no agent " + agentId);
        }
        return a;
    }

    private MemberRecord member(Agent a, int priority) {
        return new MemberRecord(a, profiles.endpoint(a.extension), priority, em.find(AgentStatus.class, a.id));
    }

    private long memberCount(String groupId) {
        return em.createQuery("SELECT count(k) FROM AgentSkill k WHERE k.skillGroupId = :group", Long.class)
                .setParameter("group", groupId).getSingleResult();
    }

    private void flush() {
        try {
            em.flush();
        } catch (PersistenceException e) {
            String field = switch (UniqueViolation.constraintOf(e).orElseThrow(() -> e)) {
                case "skill_group_pkey" -> "id";
                case "skill_group_name" -> "name";
                default -> "body";
            };
            throw Agents.conflict(List.of(new FieldError(field, "another skill group has this " + field + " already")));
        }
    }

    private void publish(SkillGroup g, boolean removed) {
        outbox.publish(g.id, new SkillGroupChanged(g.id, g.name, g.receptionLimit, g.afterCallWorkSeconds, removed));
    }

    private static AgentSkill.Key key(UUID agentId, String groupId) {
        AgentSkill.Key k = new AgentSkill.Key();
        k.agentId = agentId;
        k.skillGroupId = groupId;
        return k;
    }
}
