package io.callstream.ivr.service;

import io.callstream.ivr.domain.Flow;
import io.callstream.ivr.domain.NumberBinding;
import io.callstream.ivr.flow.FlowKind;
import io.callstream.servicekit.problem.ProblemException;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Inbound numbers and the flow each runs: one flow per number; a flow may serve many numbers. */
@ApplicationScoped
@Transactional
public class NumberService {
    public static final String NUMBER_PATTERN = "\\+?[0-9]{2,32}";

    /** Binds (or re-binds) a number to an inbound flow that has a published version. */
    public NumberBinding bind(String number, UUID flowId, String who) {
        if (number == null || !number.matches(NUMBER_PATTERN)) {
            throw ProblemException.invalid("number", "'" + number + "' is not a phone number (digits, an optional leading +)");
        }
        if (flowId == null) {
            throw ProblemException.invalid("flowId", "required");
        }
        Flow flow = Flow.findById(flowId);
        if (flow == null) {
            throw new ProblemException(422, "validation", "flowId: no flow " + flowId,
                    List.of(new io.callstream.servicekit.problem.Problem.FieldError("flowId", "no flow " + flowId)));
        }
        if (flow.kind != FlowKind.INBOUND) {
            throw ProblemException.conflict("flowId", "flow '" + flow.name + "' is an outbound flow; numbers run inbound flows");
        }
        if (flow.activeVersion == null) {
            throw ProblemException.conflict("flowId", "flow '" + flow.name + "' has no published version yet");
        }
        NumberBinding binding = NumberBinding.findById(number);
        if (binding == null) {
            binding = new NumberBinding();
            binding.number = number;
            binding.flowId = flowId;
            binding.boundAt = Instant.now();
            binding.boundBy = who;
            binding.persist();
        } else {
            binding.flowId = flowId;
            binding.boundAt = Instant.now();
            binding.boundBy = who;
        }
        return binding;
    }

    public Optional<NumberBinding> get(String number) {
        return Optional.ofNullable(NumberBinding.findById(number));
    }

    public List<NumberBinding> list() {
        return NumberBinding.listAll(Sort.by("number"));
    }

    public void unbind(String number) {
        if (!NumberBinding.deleteById(number)) {
            throw ProblemException.notFound("number " + number + " is not bound");
        }
    }
}
