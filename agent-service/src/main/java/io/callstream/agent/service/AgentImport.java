package io.callstream.agent.service;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.callstream.agent.config.AgentConfig;
import io.callstream.agent.domain.SkillGroup;
import io.callstream.agent.mapping.AgentCsv;
import io.callstream.contracts.agent.SkillAssignment;
import io.callstream.servicekit.outbox.Outbox;
import io.callstream.servicekit.problem.Problem.FieldError;
import io.callstream.servicekit.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import org.hibernate.Session;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Bulk import of agents, all or nothing: every row is checked in memory (fields, duplicates within the
 * file), then against the database with one query per unique column and one for the skill groups;
 * any problem refuses the whole file with every problem listed. Otherwise agents, memberships and
 * state rows go in as JDBC batches, with one {@code profile-changed} event per agent, in one transaction.
 */
@ApplicationScoped
public class AgentImport {
    private static final Logger LOG = Logger.getLogger(AgentImport.class);
    private static final int BATCH = 1000;

    private final EntityManager em;
    private final Outbox outbox;
    private final ProfileEvents events;
    private final AgentConfig config;
    private final ObjectMapper json;

    AgentImport(EntityManager em, Outbox outbox, ProfileEvents events, AgentConfig config, ObjectMapper json) {
        this.em = em;
        this.outbox = outbox;
        this.events = events;
        this.config = config;
        this.json = json;
    }

    /** A CSV file (UTF-8) with a header row; returns how many agents were imported. */
    @Transactional
    public int importCsv(InputStream body) {
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        long started = System.nanoTime();
        List<AgentCsv.Row> rows;
        try {
            rows = AgentCsv.read(new java.io.BufferedReader(new InputStreamReader(body, decoder), 65536), config.bulkMaxRows());
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof java.nio.charset.CharacterCodingException) {
                throw ProblemException.invalid("body", "the file is not UTF-8 text; save it as CSV UTF-8");
            }
            throw e;
        }
        return write(rows, started);
    }

    /** A JSON array of agents, each as for a single create; returns how many agents were imported. */
    @Transactional
    public int importJson(InputStream body) {
        long started = System.nanoTime();
        return write(readJson(body), started);
    }

    List<AgentCsv.Row> readJson(InputStream body) {
        List<AgentCsv.Row> rows = new ArrayList<>();
        try (JsonParser p = json.createParser(body)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new ProblemException(400, "malformed-body", "the request body must be a JSON array of agents", List.of());
            }
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (i == config.bulkMaxRows()) {
                    throw AgentCsv.tooMany(config.bulkMaxRows());
                }
                String prefix = "[" + i + "].";
                JsonNode node = json.readTree(p);
                List<FieldError> errors = new ArrayList<>();
                AgentProfile profile = null;
                if (node == null || !node.isObject()) {
                    errors.add(new FieldError("[" + i + "]", "must be an agent object"));
                } else {
                    try {
                        profile = json.treeToValue(node, AgentProfile.class);
                    } catch (JsonMappingException e) {
                        errors.add(new FieldError(prefix + path(e), message(e)));
                    }
                }
                rows.add(new AgentCsv.Row(prefix, "[" + i + "]", profile, errors));
                i++;
            }
            if (p.nextToken() != null) {
                throw new ProblemException(400, "malformed-body", "there is more after the JSON array", List.of());
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ProblemException(400, "malformed-body", "the request body is not valid JSON"
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr()), List.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    /** Checks and writes what was read; {@code started}: when reading began (for the log). */
    int write(List<AgentCsv.Row> rows, long started) {
        if (rows.isEmpty()) {
            throw ProblemException.invalid("rows", "the file holds no agents");
        }
        long read = System.nanoTime();
        List<FieldError> errors = new ArrayList<>();
        List<ProfileRules.Valid> agents = new ArrayList<>(rows.size());
        for (AgentCsv.Row row : rows) {
            errors.addAll(row.errors());
            agents.add(row.profile() == null ? null : ProfileRules.check(row.profile(), row.prefix(), errors));
        }
        duplicatesInFile(rows, agents, errors);
        unknownGroups(rows, agents, errors);
        duplicatesInDatabase(rows, agents, errors);
        if (!errors.isEmpty()) {
            long bad = errors.stream().map(e -> e.field().replaceFirst("\\].*", "]")).distinct().count();
            throw new ProblemException(400, "validation", bad + " of " + rows.size() + " rows have problems"
                    + " (" + errors.size() + " in all); nothing was imported. First: " + errors.get(0).field() + ": "
                    + errors.get(0).message(), errors);
        }
        long checked = System.nanoTime();
        List<UUID> ids = insert(agents);
        long inserted = System.nanoTime();
        em.unwrap(Session.class).setJdbcBatchSize(BATCH); // the outbox rows below go in as batches too
        for (int i = 0; i < agents.size(); i++) {
            ProfileRules.Valid a = agents.get(i);
            outbox.publish(ids.get(i).toString(), events.event(ids.get(i), a.staffNumber(), a.name(), a.nickname(),
                    a.extension(), a.role(), sorted(a.skills()), false));
        }
        em.flush();
        long published = System.nanoTime();
        LOG.infof("imported %d agents (before the commit): read %d ms, checks %d ms, inserts %d ms, events %d ms",
                agents.size(), (read - started) / 1_000_000, (checked - read) / 1_000_000,
                (inserted - checked) / 1_000_000, (published - inserted) / 1_000_000);
        return agents.size();
    }

    /** Staff number, email (ignoring case) and extension once per file; later rows name the first. */
    private static void duplicatesInFile(List<AgentCsv.Row> rows, List<ProfileRules.Valid> agents, List<FieldError> errors) {
        Map<String, Integer> staff = new HashMap<>();
        Map<String, Integer> email = new HashMap<>();
        Map<String, Integer> extension = new HashMap<>();
        for (int i = 0; i < agents.size(); i++) {
            ProfileRules.Valid a = agents.get(i);
            if (a == null) {
                continue;
            }
            once(staff, a.staffNumber(), i, rows, "staffNumber", "staff number", errors);
            once(email, a.email() == null ? null : a.email().toLowerCase(Locale.ROOT), i, rows, "email", "email", errors);
            once(extension, a.extension(), i, rows, "extension", "extension", errors);
        }
    }

    private static void once(Map<String, Integer> seen, String value, int i, List<AgentCsv.Row> rows, String field,
                             String what, List<FieldError> errors) {
        if (value == null) {
            return;
        }
        Integer first = seen.putIfAbsent(value, i);
        if (first != null) {
            errors.add(new FieldError(rows.get(i).prefix() + field, "the same " + what + " as " + rows.get(first).label()
                    + " of this file"));
        }
    }

    private void unknownGroups(List<AgentCsv.Row> rows, List<ProfileRules.Valid> agents, List<FieldError> errors) {
        Set<String> named = new LinkedHashSet<>();
        agents.stream().filter(a -> a != null).forEach(a -> a.skills().forEach(s -> named.add(s.skillGroupId())));
        if (named.isEmpty()) {
            return;
        }
        // share-locked: no group named here can be deleted before the import commits
        Set<String> found = new HashSet<>();
        em.createQuery("FROM SkillGroup g WHERE g.id IN :ids", SkillGroup.class).setParameter("ids", named)
                .setLockMode(LockModeType.PESSIMISTIC_READ).getResultList().forEach(g -> found.add(g.id));
        for (int i = 0; i < agents.size(); i++) {
            ProfileRules.Valid a = agents.get(i);
            if (a == null) {
                continue;
            }
            for (SkillAssignment s : a.skills()) {
                if (!found.contains(s.skillGroupId())) {
                    errors.add(new FieldError(rows.get(i).prefix() + "skills", "there is no skill group '" + s.skillGroupId() + "'"));
                }
            }
        }
    }

    /** One query per unique column, each with every value of the file: {@code = ANY(?)}. */
    private void duplicatesInDatabase(List<AgentCsv.Row> rows, List<ProfileRules.Valid> agents, List<FieldError> errors) {
        em.unwrap(Session.class).doWork(c -> {
            taken(c, "SELECT staff_number, staff_number FROM agent WHERE staff_number = ANY(?)", agents,
                    ProfileRules.Valid::staffNumber, rows, "staffNumber", "this staff number", errors);
            taken(c, "SELECT lower(email), staff_number FROM agent WHERE lower(email) = ANY(?)", agents,
                    a -> a.email() == null ? null : a.email().toLowerCase(Locale.ROOT), rows, "email", "this email", errors);
            taken(c, "SELECT extension, staff_number FROM agent WHERE extension = ANY(?)", agents,
                    ProfileRules.Valid::extension, rows, "extension", "this extension", errors);
        });
    }

    private static void taken(Connection c, String sql, List<ProfileRules.Valid> agents,
                              Function<ProfileRules.Valid, String> value, List<AgentCsv.Row> rows, String field,
                              String what, List<FieldError> errors) throws SQLException {
        List<String> values = agents.stream().filter(a -> a != null).map(value).filter(v -> v != null).distinct().toList();
        if (values.isEmpty()) {
            return;
        }
        Map<String, String> owner = new HashMap<>();
        try (PreparedStatement q = c.prepareStatement(sql)) {
            q.setArray(1, c.createArrayOf("text", values.toArray()));
            try (ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    owner.put(r.getString(1), r.getString(2));
                }
            }
        }
        if (owner.isEmpty()) {
            return;
        }
        for (int i = 0; i < agents.size(); i++) {
            ProfileRules.Valid a = agents.get(i);
            String v = a == null ? null : value.apply(a);
            if (v != null && owner.containsKey(v)) {
                errors.add(new FieldError(rows.get(i).prefix() + field, "agent " + owner.get(v) + " has " + what + " already"));
            }
        }
    }

    /** Agents, their memberships and their OFFLINE state rows, as JDBC batches; returns the new ids in row order. */
    private List<UUID> insert(List<ProfileRules.Valid> agents) {
        List<UUID> ids = new ArrayList<>(agents.size());
        OffsetDateTime now = OffsetDateTime.ofInstant(Agents.now(), ZoneOffset.UTC);
        em.unwrap(Session.class).doWork(c -> {
            try (PreparedStatement agent = c.prepareStatement("INSERT INTO agent (id, staff_number, name, nickname, email,"
                    + " phone, extension, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
                 PreparedStatement skill = c.prepareStatement(
                         "INSERT INTO agent_skill (agent_id, skill_group_id, priority) VALUES (?, ?, ?)");
                 PreparedStatement state = c.prepareStatement(
                         "INSERT INTO agent_state (agent_id, state, since) VALUES (?, 'OFFLINE', ?)")) {
                for (int i = 0; i < agents.size(); i++) {
                    ProfileRules.Valid a = agents.get(i);
                    UUID id = UUID.randomUUID();
                    ids.add(id);
                    agent.setObject(1, id);
                    agent.setString(2, a.staffNumber());
                    agent.setString(3, a.name());
                    setNullable(agent, 4, a.nickname());
                    agent.setString(5, a.email());
                    setNullable(agent, 6, a.phone());
                    agent.setString(7, a.extension());
                    agent.setString(8, a.role().name());
                    agent.setObject(9, now);
                    agent.setObject(10, now);
                    agent.addBatch();
                    for (SkillAssignment s : a.skills()) {
                        skill.setObject(1, id);
                        skill.setString(2, s.skillGroupId());
                        skill.setInt(3, s.priority());
                        skill.addBatch();
                    }
                    state.setObject(1, id);
                    state.setObject(2, now);
                    state.addBatch();
                    if ((i + 1) % BATCH == 0 || i == agents.size() - 1) {
                        agent.executeBatch(); // before the rows that refer to these agents
                        skill.executeBatch();
                        state.executeBatch();
                    }
                }
            } catch (SQLException e) {
                // another request took a value between the checks and here
                if (UniqueViolation.constraintOf(e).isPresent()) {
                    throw new ProblemException(409, "conflict", "another change took a staff number, email or extension"
                            + " of this file while it was imported; nothing was imported, try again", List.of());
                }
                throw e;
            }
        });
        return ids;
    }

    private static void setNullable(PreparedStatement s, int index, String value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.VARCHAR);
        } else {
            s.setString(index, value);
        }
    }

    private static List<SkillAssignment> sorted(Collection<SkillAssignment> skills) {
        return skills.stream().sorted(java.util.Comparator.comparingInt(SkillAssignment::priority)
                .thenComparing(SkillAssignment::skillGroupId)).toList();
    }

    /** What was wrong, in words, without Java type names. */
    private static String message(JsonMappingException e) {
        if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException) {
            return "unknown field";
        }
        if (e instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException f) {
            return "'" + f.getValue() + "' is not a valid " + kind(f.getTargetType());
        }
        if (e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException m) {
            return "expected " + kind(m.getTargetType());
        }
        return "cannot be read";
    }

    private static String kind(Class<?> c) {
        if (c == null) {
            return "value";
        }
        if (Number.class.isAssignableFrom(c) || c == int.class) {
            return "number";
        }
        if (c == String.class) {
            return "string";
        }
        if (Collection.class.isAssignableFrom(c) || c.isArray()) {
            return "array";
        }
        return "object";
    }

    /** {@code skills[0].priority} from Jackson's reference chain. */
    private static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (!b.isEmpty()) {
                    b.append('.');
                }
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.isEmpty() ? "body" : b.toString();
    }
}
