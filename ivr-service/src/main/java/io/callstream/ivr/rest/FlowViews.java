package io.callstream.ivr.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.callstream.ivr.domain.Flow;
import io.callstream.ivr.domain.FlowVersion;
import io.callstream.ivr.domain.NumberBinding;
import io.callstream.ivr.flow.FlowDocument;
import io.callstream.ivr.flow.FlowError;
import io.callstream.ivr.flow.FlowKind;
import io.callstream.ivr.service.FlowService;
import io.callstream.servicekit.problem.Problem;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** What the flow and number APIs answer with. */
final class FlowViews {
    private FlowViews() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record FlowView(UUID id, String name, FlowKind kind, String description, Integer activeVersion,
                    Instant createdAt, Instant updatedAt, FlowDocument draft) {
        static FlowView of(Flow f, boolean withDraft) {
            return new FlowView(f.id, f.name, f.kind, f.description, f.activeVersion, f.createdAt, f.updatedAt,
                    withDraft ? FlowService.document(f.draft) : null);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record VersionView(int version, boolean active, Instant publishedAt, String publishedBy, FlowDocument definition) {
        static VersionView of(FlowVersion v, Integer active, boolean withDefinition) {
            return new VersionView(v.version, active != null && active == v.version, v.publishedAt, v.publishedBy,
                    withDefinition ? FlowService.document(v.definition) : null);
        }
    }

    record ValidationReport(boolean valid, List<Problem.FieldError> errors) {
        static ValidationReport of(List<FlowError> errors) {
            return new ValidationReport(errors.isEmpty(),
                    errors.stream().map(e -> new Problem.FieldError(e.field(), e.message(), e.node())).toList());
        }
    }

    record RollbackRequest(Integer version) {
    }

    record BindRequest(UUID flowId) {
    }

    record NumberView(String number, UUID flowId, Instant boundAt, String boundBy) {
        static NumberView of(NumberBinding b) {
            return new NumberView(b.number, b.flowId, b.boundAt, b.boundBy);
        }
    }
}
