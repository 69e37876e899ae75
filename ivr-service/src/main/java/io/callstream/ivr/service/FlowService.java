package io.callstream.ivr.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.callstream.contracts.Json;
import io.callstream.contracts.ivr.FlowChanged;
import io.callstream.ivr.config.IvrConfig;
import io.callstream.ivr.domain.Flow;
import io.callstream.ivr.domain.FlowVersion;
import io.callstream.ivr.domain.NumberBinding;
import io.callstream.ivr.flow.FlowDocument;
import io.callstream.ivr.flow.FlowError;
import io.callstream.ivr.flow.FlowKind;
import io.callstream.ivr.flow.FlowValidator;
import io.callstream.servicekit.net.UrlPolicy;
import io.callstream.servicekit.outbox.Outbox;
import io.callstream.servicekit.problem.Problem;
import io.callstream.servicekit.problem.ProblemException;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Flows and their versions: a flow's draft is edited (and must always be valid), publishing freezes
 * the draft as the next version and makes it the one new calls start with, rolling back makes an
 * earlier version that one again. Calls already running keep the version they started with. What other
 * services know of a flow (name, kind, live version, deleted) goes out as {@link FlowChanged} in the
 * transaction that changed it.
 */
@ApplicationScoped
@Transactional
public class FlowService {
    private final FlowValidator validator;
    private final Outbox outbox;

    FlowService(IvrConfig config, Outbox outbox) {
        this.validator = new FlowValidator(new UrlPolicy(config.http().allowlist().orElse(List.of())));
        this.outbox = outbox;
    }

    public List<FlowError> validate(FlowDocument document) {
        return validator.validate(document);
    }

    public Flow create(FlowDocument document) {
        requireValid(document);
        if (Flow.count("name", document.name()) > 0) {
            throw ProblemException.conflict("name", "a flow named '" + document.name() + "' exists already");
        }
        Flow flow = new Flow();
        flow.id = UUID.randomUUID();
        flow.createdAt = Instant.now();
        apply(flow, document);
        flow.persist();
        return flow;
    }

    public Flow update(UUID id, FlowDocument document) {
        Flow flow = find(id);
        requireValid(document);
        if (!flow.name.equals(document.name()) && Flow.count("name = ?1 and id <> ?2", document.name(), id) > 0) {
            throw ProblemException.conflict("name", "a flow named '" + document.name() + "' exists already");
        }
        if (flow.kind != document.kind() && NumberBinding.count("flowId", id) > 0) {
            throw ProblemException.conflict("kind", "the flow is bound to numbers, so it stays " + flow.kind);
        }
        boolean renamedOrKindChanged = !flow.name.equals(document.name()) || flow.kind != document.kind();
        apply(flow, document);
        if (renamedOrKindChanged) {
            changed(flow, false, flow.updatedAt);
        }
        return flow;
    }

    public Optional<Flow> get(UUID id) {
        return Optional.ofNullable(Flow.findById(id));
    }

    public List<Flow> list(FlowKind kind, int page, int size) {
        var query = kind == null ? Flow.<Flow>findAll(Sort.by("name")) : Flow.<Flow>find("kind", Sort.by("name"), kind);
        return query.page(Page.of(page, size)).list();
    }

    public long count(FlowKind kind) {
        return kind == null ? Flow.count() : Flow.count("kind", kind);
    }

    /** Freezes the draft as the next version and makes it live. */
    public FlowVersion publish(UUID id, String who) {
        Flow flow = find(id);
        FlowDocument draft = document(flow.draft);
        requireValid(draft); // the rules (e.g. the URL allowlist) may have changed since it was saved
        FlowVersion v = new FlowVersion();
        v.flowId = id;
        v.version = latestVersion(id) + 1;
        v.definition = flow.draft;
        v.publishedAt = Instant.now();
        v.publishedBy = who;
        v.persist();
        flow.activeVersion = v.version;
        flow.updatedAt = v.publishedAt;
        changed(flow, false, v.publishedAt);
        return v;
    }

    public List<FlowVersion> versions(UUID id) {
        find(id);
        return FlowVersion.list("flowId", Sort.descending("version"), id);
    }

    public FlowVersion version(UUID id, int version) {
        find(id);
        FlowVersion v = FlowVersion.findById(new FlowVersion.Key(id, version));
        if (v == null) {
            throw ProblemException.notFound("flow " + id + " has no version " + version);
        }
        return v;
    }

    /** Makes an earlier (or later) published version the one new calls start with. */
    public Flow rollback(UUID id, int version) {
        Flow flow = find(id);
        version(id, version);
        flow.activeVersion = version;
        flow.updatedAt = Instant.now();
        changed(flow, false, flow.updatedAt);
        return flow;
    }

    /** Refused while numbers are bound to the flow or calls are running it. */
    public void delete(UUID id) {
        Flow flow = find(id);
        List<NumberBinding> bound = NumberBinding.list("flowId", Sort.by("number"), id);
        if (!bound.isEmpty()) {
            throw ProblemException.conflict("id", "the flow is bound to " + String.join(", ",
                    bound.stream().map(b -> b.number).toList()) + "; unbind the numbers first");
        }
        long running = io.callstream.ivr.domain.IvrSession.count("flowId = ?1 and status = ?2", id,
                io.callstream.ivr.domain.IvrSession.RUNNING);
        if (running > 0) {
            throw ProblemException.conflict("id", running + " call(s) are running this flow; delete it when they have ended");
        }
        FlowVersion.delete("flowId", id);
        flow.delete();
        changed(flow, true, Instant.now());
    }

    public int latestVersion(UUID id) {
        Integer max = FlowVersion.getEntityManager()
                .createQuery("select max(v.version) from FlowVersion v where v.flowId = :id", Integer.class)
                .setParameter("id", id).getSingleResult();
        return max == null ? 0 : max;
    }

    public static FlowDocument document(String json) {
        try {
            return Json.MAPPER.readValue(json, FlowDocument.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored flow is not readable: " + e.getOriginalMessage(), e);
        }
    }

    Flow find(UUID id) {
        Flow flow = Flow.findById(id);
        if (flow == null) {
            throw ProblemException.notFound("no flow " + id);
        }
        return flow;
    }

    /**
     * The flow's row is written (and so locked) before its event takes a place in the outbox: an
     * announcement at start ({@link FlowAnnouncements}) reads flows with a share lock, so per flow the
     * events leave in the order their transactions commit, and the last one says how the flow is.
     */
    private void changed(Flow flow, boolean deleted, Instant at) {
        Flow.flush();
        outbox.publish(flow.id.toString(), flowChanged(flow, deleted, at));
    }

    static FlowChanged flowChanged(Flow flow, boolean deleted, Instant at) {
        return new FlowChanged(flow.id.toString(), flow.name, flow.kind.name(), flow.activeVersion, deleted, at);
    }

    private void apply(Flow flow, FlowDocument document) {
        flow.name = document.name();
        flow.kind = document.kind();
        flow.description = document.description();
        flow.draft = new String(Json.write(document), java.nio.charset.StandardCharsets.UTF_8);
        flow.updatedAt = Instant.now();
    }

    private void requireValid(FlowDocument document) {
        List<FlowError> errors = validator.validate(document);
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
    }

    static ProblemException invalid(List<FlowError> errors) {
        return new ProblemException(422, "invalid-flow", errors.size() == 1 ? "the flow is invalid: " + errors.get(0)
                : "the flow is invalid: " + errors.size() + " problems, the first: " + errors.get(0),
                errors.stream().map(e -> new Problem.FieldError(e.field(), e.message(), e.node())).toList());
    }
}
