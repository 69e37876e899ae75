package io.callstream.ivr.records;

import io.callstream.servicekit.problem.ProblemException;
import io.callstream.servicekit.rest.Page;
import io.callstream.servicekit.rest.QueryParams;
import io.callstream.servicekit.security.Roles;
import io.quarkus.hibernate.orm.panache.PanacheQuery;
import io.quarkus.panache.common.Sort;
import jakarta.annotation.security.RolesAllowed;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Call records: one by call id, or a search, newest first. Admins, qa and business systems read them. */
@Path("/api/v1/call-records")
@Tag(name = "Call records")
@Produces(MediaType.APPLICATION_JSON)
@Transactional(Transactional.TxType.SUPPORTS)
public class CallRecordResource {

    @GET
    @Path("/{callId}")
    @RolesAllowed({Roles.ADMIN, Roles.QA, Roles.INTEGRATION})
    @Operation(summary = "The record of one call (endStatus absent while the call is on)")
    public CallRecordView get(@PathParam("callId") String callId) {
        CallRecord r = CallRecord.findById(callId);
        if (r == null) {
            throw ProblemException.notFound("no call record " + callId);
        }
        return CallRecordView.of(r);
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.QA, Roles.INTEGRATION})
    @Operation(summary = "Search call records, newest first: by number (caller or called), agent, skill group, "
            + "start time range [from, to), end status (ACTIVE for calls still on), direction")
    public Page<CallRecordView> search(@QueryParam("number") String number, @QueryParam("agentId") String agentId,
                                       @QueryParam("skillGroup") String skillGroup, @QueryParam("from") String from,
                                       @QueryParam("to") String to, @QueryParam("status") String status,
                                       @QueryParam("direction") String direction,
                                       @QueryParam("page") @DefaultValue("0") int page,
                                       @QueryParam("size") @DefaultValue("50") int size) {
        Page.checkRequest(page, size);
        List<String> where = new ArrayList<>();
        Map<String, Object> params = new HashMap<>();
        if (present(number)) {
            where.add("(callerNumber = :number or calledNumber = :number)");
            params.put("number", number.trim());
        }
        if (present(agentId)) {
            where.add("callId in (select a.callId from CallRecordAgent a where a.agentId = :agent)");
            params.put("agent", agentId.trim());
        }
        if (present(skillGroup)) {
            where.add("skillGroup = :group");
            params.put("group", skillGroup.trim());
        }
        Instant since = QueryParams.instant("from", from, null);
        Instant until = QueryParams.instant("to", to, null);
        if (since != null && until != null && !since.isBefore(until)) {
            throw ProblemException.invalid("to", "must be after from");
        }
        if (since != null) {
            where.add("startedAt >= :from");
            params.put("from", since);
        }
        if (until != null) {
            where.add("startedAt < :to");
            params.put("to", until);
        }
        if (present(status)) {
            String s = status.trim().toUpperCase(Locale.ROOT);
            if ("ACTIVE".equals(s)) {
                where.add("endStatus is null");
            } else {
                where.add("endStatus = :status");
                params.put("status", oneOf("status", s, CallEndStatus.values()));
            }
        }
        if (present(direction)) {
            String d = direction.trim().toUpperCase(Locale.ROOT);
            params.put("direction", oneOf("direction", d, io.callstream.contracts.call.CallDirection.values()));
            where.add("direction = :direction");
        }
        PanacheQuery<CallRecord> query = where.isEmpty()
                ? CallRecord.findAll(Sort.descending("startedAt").and("callId"))
                : CallRecord.find(String.join(" and ", where), Sort.descending("startedAt").and("callId"), params);
        List<CallRecordView> items = query.page(page, size).list().stream().map(CallRecordView::of).toList();
        return new Page<>(items, page, size, query.count());
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }

    private static String oneOf(String field, String value, Enum<?>[] allowed) {
        for (Enum<?> e : allowed) {
            if (e.name().equals(value)) {
                return value;
            }
        }
        String names = Arrays.stream(allowed).map(Enum::name).collect(Collectors.joining(", "));
        throw ProblemException.invalid(field, "'" + value + "' is not one of " + names + ("status".equals(field) ? ", ACTIVE" : ""));
    }
}
