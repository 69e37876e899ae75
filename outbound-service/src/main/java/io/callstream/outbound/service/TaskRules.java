package io.callstream.outbound.service;

import io.callstream.contracts.outbound.AttemptOutcome;
import io.callstream.outbound.config.OutboundConfig;
import io.callstream.outbound.domain.CallWindows;
import io.callstream.outbound.domain.Numbers;
import io.callstream.outbound.rest.TaskRequest;
import io.callstream.servicekit.config.ServicekitConfig;
import io.callstream.servicekit.net.UrlPolicy;
import io.callstream.servicekit.problem.Problem;
import io.callstream.servicekit.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Checks a task request and fills in defaults: every field at fault is reported at once (problem+json,
 * 400), and nothing is written before all of it passed.
 */
@ApplicationScoped
public class TaskRules {
    static final int MAX_TEXT = 200;
    static final int MAX_VARIABLES = 50;
    static final int MAX_VARIABLE_NAME = 64;
    static final int MAX_VARIABLE_VALUE = 1000;
    static final int MAX_UUI = 256;
    static final Set<AttemptOutcome> DIALED_OUTCOMES = EnumSet.of(AttemptOutcome.BUSY, AttemptOutcome.NO_ANSWER,
            AttemptOutcome.REJECTED, AttemptOutcome.FAILED);
    static final Set<AttemptOutcome> DEFAULT_RETRY_ON = EnumSet.of(AttemptOutcome.BUSY, AttemptOutcome.NO_ANSWER);

    private final OutboundConfig config;
    private final UrlPolicy urls;
    private final EntityManager em;

    TaskRules(OutboundConfig config, ServicekitConfig kit, EntityManager em) {
        this.config = config;
        this.urls = new UrlPolicy(kit.webhooks().allowlist().orElse(List.of()));
        this.em = em;
    }

    /** The validated settings; throws a 400 naming every field at fault. */
    public TaskSettings check(TaskRequest r, Instant now) {
        List<Problem.FieldError> errors = new ArrayList<>();
        if (r == null) {
            throw ProblemException.invalid("body", "a task is required");
        }
        String name = text(errors, "name", r.name(), true);
        String description = r.description() == null ? null : r.description().length() > 2000
                ? add(errors, "description", "at most 2000 characters") : r.description();
        UUID flowId = flow(errors, r.flowId());
        List<String> callers = callerNumbers(errors, r.callerNumbers());

        Instant notBefore = r.notBefore() == null ? now : r.notBefore();
        Instant notAfter = r.notAfter() == null ? notBefore.plus(Duration.ofDays(7)) : r.notAfter();
        if (!notAfter.isAfter(notBefore)) {
            errors.add(new Problem.FieldError("notAfter", "must be after notBefore (" + notBefore + ")"));
        } else if (!notAfter.isAfter(now)) {
            errors.add(new Problem.FieldError("notAfter", "is in the past"));
        }

        int maxTries = r.maxTries() == null ? 1 : r.maxTries();
        if (maxTries < 1 || maxTries > config.maxTries()) {
            errors.add(new Problem.FieldError("maxTries", "must be 1 to " + config.maxTries()));
        }
        long minInterval = config.minRetryInterval().toSeconds();
        int retryInterval = r.retryIntervalSeconds() == null ? (int) Math.max(minInterval, 600) : r.retryIntervalSeconds();
        if (retryInterval < minInterval || retryInterval > 86_400) {
            errors.add(new Problem.FieldError("retryIntervalSeconds", "must be " + minInterval + " to 86400 seconds"));
        }
        Set<AttemptOutcome> retryOn = retryOn(errors, r.retryOn());

        CallWindows windows = windows(errors, r);
        if (windows != null && notAfter.isAfter(notBefore) && !windows.opensBetween(max(notBefore, now), notAfter)) {
            errors.add(new Problem.FieldError("windows", "no window opens between notBefore and notAfter in "
                    + windows.zone() + " on " + (windows.weekdays().isEmpty() ? "no weekday" : windows.weekdaysText())));
        }

        int ring = r.maxRingSeconds() == null ? 30 : r.maxRingSeconds();
        if (ring < 5 || ring > config.maxRingTime().toSeconds()) {
            errors.add(new Problem.FieldError("maxRingSeconds", "must be 5 to " + config.maxRingTime().toSeconds() + " seconds"));
        }
        int concurrent = r.maxConcurrentCalls() == null ? 10 : r.maxConcurrentCalls();
        if (concurrent < 1 || concurrent > config.maxConcurrentCalls()) {
            errors.add(new Problem.FieldError("maxConcurrentCalls", "must be 1 to " + config.maxConcurrentCalls()));
        }
        double rate = r.maxCallsPerSecond() == null ? 1.0 : r.maxCallsPerSecond();
        if (!(rate >= 0.01 && rate <= config.maxCallsPerSecond())) {
            errors.add(new Problem.FieldError("maxCallsPerSecond", "must be 0.01 to " + config.maxCallsPerSecond()));
        }

        String callbackUrl = r.callbackUrl();
        String secret = r.callbackSecret();
        if (callbackUrl != null) {
            String why = urls.refusal(callbackUrl);
            if (why == null && (callbackUrl.contains("${") || callbackUrl.length() > 2000)) {
                why = "must be a plain http(s) URL of at most 2000 characters";
            }
            if (why != null) {
                errors.add(new Problem.FieldError("callbackUrl", why));
            }
            if (secret == null || secret.length() < 16 || secret.length() > 200) {
                errors.add(new Problem.FieldError("callbackSecret", "16 to 200 characters are required with a callbackUrl"));
            }
        } else if (secret != null) {
            errors.add(new Problem.FieldError("callbackSecret", "given without a callbackUrl"));
        }

        if (r.callees() != null) {
            if (r.callees().size() > config.maxInlineCallees()) {
                errors.add(new Problem.FieldError("callees", "at most " + config.maxInlineCallees()
                        + " inline; upload more as CSV or NDJSON to /api/v1/tasks/{id}/callees"));
            } else {
                for (int i = 0; i < r.callees().size() && errors.size() < 200; i++) {
                    String why = calleeRefusal(r.callees().get(i));
                    if (why != null) {
                        errors.add(new Problem.FieldError("callees[" + i + "]", why));
                    }
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(400, "validation", errors.size() + " field(s) refused: "
                    + errors.get(0).field() + ": " + errors.get(0).message(), errors);
        }
        return new TaskSettings(name, description, flowId, callers, notBefore, notAfter, maxTries, retryInterval,
                retryOn, windows, ring, concurrent, rate, callbackUrl, secret);
    }

    /** Why one callee is refused, or null: shared by inline callees and uploads. */
    public static String calleeRefusal(TaskRequest.CalleeInput c) {
        if (c == null) {
            return "a callee is required";
        }
        String why = Numbers.refusal(c.number());
        if (why != null) {
            return "number: " + why;
        }
        if (c.uui() != null && c.uui().length() > MAX_UUI) {
            return "uui: at most " + MAX_UUI + " characters";
        }
        if (c.variables() != null) {
            if (c.variables().size() > MAX_VARIABLES) {
                return "variables: at most " + MAX_VARIABLES;
            }
            for (Map.Entry<String, String> v : c.variables().entrySet()) {
                String k = v.getKey();
                if (k == null || !k.matches("[A-Za-z_][A-Za-z0-9_.]{0," + (MAX_VARIABLE_NAME - 1) + "}")) {
                    return "variables: a name must be a letter or _ then letters, digits, _ or . (at most "
                            + MAX_VARIABLE_NAME + "): " + k;
                }
                if (k.startsWith("callstream.")) {
                    return "variables: names starting with callstream. are reserved: " + k;
                }
                if (v.getValue() == null || v.getValue().length() > MAX_VARIABLE_VALUE) {
                    return "variables." + k + ": a value of at most " + MAX_VARIABLE_VALUE + " characters is required";
                }
                if (v.getValue().indexOf('\0') >= 0) {
                    return "variables." + k + ": must not contain NUL";
                }
            }
        }
        return null;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static String add(List<Problem.FieldError> errors, String field, String message) {
        errors.add(new Problem.FieldError(field, message));
        return null;
    }

    private static String text(List<Problem.FieldError> errors, String field, String value, boolean required) {
        if (value == null || value.isBlank()) {
            return required ? add(errors, field, "required") : null;
        }
        if (value.length() > MAX_TEXT) {
            return add(errors, field, "at most " + MAX_TEXT + " characters");
        }
        return value.strip();
    }

    private UUID flow(List<Problem.FieldError> errors, String flowId) {
        if (flowId == null || flowId.isBlank()) {
            add(errors, "flowId", "required");
            return null;
        }
        UUID id;
        try {
            id = UUID.fromString(flowId);
        } catch (IllegalArgumentException e) {
            add(errors, "flowId", "not a flow id (UUID): " + flowId);
            return null;
        }
        List<?> rows = em.createNativeQuery("SELECT kind, active_version, deleted FROM known_flow WHERE id = ?1")
                .setParameter(1, id).getResultList();
        if (rows.isEmpty()) {
            add(errors, "flowId", "no such flow: " + flowId);
            return null;
        }
        Object[] row = (Object[]) rows.get(0);
        if (Boolean.TRUE.equals(row[2])) {
            add(errors, "flowId", "the flow was deleted: " + flowId);
        } else if (!"OUTBOUND".equals(row[0])) {
            add(errors, "flowId", "an " + row[0] + " flow; automatic outbound tasks run OUTBOUND flows");
        } else if (row[1] == null) {
            add(errors, "flowId", "the flow has no published version yet");
        }
        return id;
    }

    private List<String> callerNumbers(List<Problem.FieldError> errors, List<String> numbers) {
        if (numbers == null || numbers.isEmpty()) {
            add(errors, "callerNumbers", "at least one caller number is required");
            return List.of();
        }
        if (numbers.size() > 100) {
            add(errors, "callerNumbers", "at most 100");
            return List.of();
        }
        Set<String> unique = new LinkedHashSet<>();
        for (int i = 0; i < numbers.size(); i++) {
            String why = Numbers.refusal(numbers.get(i));
            if (why != null) {
                add(errors, "callerNumbers[" + i + "]", why);
            } else if (!unique.add(numbers.get(i))) {
                add(errors, "callerNumbers[" + i + "]", "listed twice: " + numbers.get(i));
            }
        }
        if (!unique.isEmpty()) {
            @SuppressWarnings("unchecked")
            List<String> owned = em.createNativeQuery("SELECT number FROM caller_number WHERE number IN (:n)")
                    .setParameter("n", unique).getResultList();
            Set<String> ownedSet = new HashSet<>(owned);
            for (int i = 0; i < numbers.size(); i++) {
                String n = numbers.get(i);
                if (Numbers.valid(n) && !ownedSet.contains(n)) {
                    add(errors, "callerNumbers[" + i + "]", "not a caller number of this platform: " + n
                            + " (admins add them at /api/v1/caller-numbers)");
                }
            }
        }
        return List.copyOf(unique);
    }

    private Set<AttemptOutcome> retryOn(List<Problem.FieldError> errors, List<String> names) {
        if (names == null) {
            return DEFAULT_RETRY_ON;
        }
        Set<AttemptOutcome> out = EnumSet.noneOf(AttemptOutcome.class);
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            try {
                AttemptOutcome o = AttemptOutcome.valueOf(n);
                if (!DIALED_OUTCOMES.contains(o)) {
                    throw new IllegalArgumentException();
                }
                out.add(o);
            } catch (RuntimeException e) {
                add(errors, "retryOn[" + i + "]", "must be one of " + DIALED_OUTCOMES + ": " + n);
            }
        }
        return out;
    }

    private CallWindows windows(List<Problem.FieldError> errors, TaskRequest r) {
        ZoneId zone = null;
        try {
            zone = ZoneId.of(r.timeZone() == null ? "UTC" : r.timeZone());
        } catch (DateTimeException e) {
            add(errors, "timeZone", "unknown time zone: " + r.timeZone() + " (an IANA name such as Asia/Shanghai)");
        }
        Set<DayOfWeek> days = EnumSet.allOf(DayOfWeek.class);
        if (r.weekdays() != null) {
            days = EnumSet.noneOf(DayOfWeek.class);
            if (r.weekdays().isEmpty()) {
                add(errors, "weekdays", "at least one weekday, or leave it out for every day");
            }
            for (int i = 0; i < r.weekdays().size(); i++) {
                try {
                    days.add(CallWindows.day(String.valueOf(r.weekdays().get(i))));
                } catch (IllegalArgumentException e) {
                    add(errors, "weekdays[" + i + "]", e.getMessage());
                }
            }
        }
        List<CallWindows.Window> ws = new ArrayList<>();
        if (r.windows() == null) {
            ws.addAll(CallWindows.ALL_DAY);
        } else {
            if (r.windows().isEmpty() || r.windows().size() > 10) {
                add(errors, "windows", "1 to 10 windows, or leave it out for the whole day");
            }
            for (int i = 0; i < r.windows().size(); i++) {
                TaskRequest.WindowInput w = r.windows().get(i);
                try {
                    if (w == null || w.start() == null || w.end() == null) {
                        throw new IllegalArgumentException("start and end are required (HH:mm)");
                    }
                    int s = CallWindows.minutes(w.start());
                    int e = CallWindows.minutes(w.end());
                    if (s == 1440) {
                        throw new IllegalArgumentException("a window cannot start at 24:00");
                    }
                    if (s == e) {
                        throw new IllegalArgumentException("a window must not be empty (" + w.start() + " to " + w.end() + ")");
                    }
                    ws.add(new CallWindows.Window(s, e));
                } catch (IllegalArgumentException e) {
                    add(errors, "windows[" + i + "]", e.getMessage());
                }
            }
        }
        if (zone == null || ws.isEmpty()) {
            return null;
        }
        return new CallWindows(zone, days, ws);
    }
}
