package io.callstream.outbound.service;

import io.callstream.outbound.domain.Numbers;
import io.callstream.servicekit.problem.Problem;
import io.callstream.servicekit.problem.ProblemException;
import io.callstream.servicekit.rest.Page;
import io.callstream.servicekit.tx.Columns;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Numbers never to dial: the dialer checks each callee against it right before dialing. */
@ApplicationScoped
@Transactional
public class DoNotCall {
    public static final int MAX_BULK = 100_000;

    public record Entry(String number, String reason, String addedBy, Instant addedAt) {
    }

    /** What a bulk change did. */
    public record BulkResult(int added, int removed) {
    }

    private final EntityManager em;

    DoNotCall(EntityManager em) {
        this.em = em;
    }

    /** Adds a number; returns whether it was new (an existing entry keeps its first reason). */
    public boolean add(String number, String reason, String by) {
        check("number", number);
        checkReason(reason);
        return insert(number, reason, by) > 0;
    }

    public boolean remove(String number) {
        return em.createNativeQuery("DELETE FROM dnc_number WHERE number = ?1").setParameter(1, number).executeUpdate() > 0;
    }

    /** Adds and removes many numbers at once: every number is checked first, and all change or none. */
    public BulkResult bulk(List<String> add, List<String> remove, String reason, String by) {
        List<Problem.FieldError> errors = new ArrayList<>();
        Set<String> adds = numbers("add", add, errors);
        Set<String> removes = numbers("remove", remove, errors);
        if (adds.size() + removes.size() > MAX_BULK) {
            errors.add(new Problem.FieldError("add", "at most " + MAX_BULK + " numbers in one request"));
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(400, "validation", errors.size() + " number(s) refused; nothing was changed: "
                    + errors.get(0).field() + ": " + errors.get(0).message(), errors.stream().limit(100).toList());
        }
        checkReason(reason);
        int added = 0;
        for (String n : adds) {
            added += insert(n, reason, by);
        }
        int removed = 0;
        for (String n : removes) {
            removed += remove(n) ? 1 : 0;
        }
        return new BulkResult(added, removed);
    }

    public Optional<Entry> get(String number) {
        List<?> rows = em.createNativeQuery("SELECT number, reason, added_by, added_at FROM dnc_number WHERE number = ?1")
                .setParameter(1, number).getResultList();
        return rows.isEmpty() ? Optional.empty() : Optional.of(entry((Object[]) rows.get(0)));
    }

    public Page<Entry> list(int page, int size) {
        Page.checkRequest(page, size);
        List<Entry> items = new ArrayList<>();
        for (Object r : em.createNativeQuery("SELECT number, reason, added_by, added_at FROM dnc_number ORDER BY number "
                + "LIMIT ?1 OFFSET ?2").setParameter(1, size).setParameter(2, (long) page * size).getResultList()) {
            items.add(entry((Object[]) r));
        }
        long total = ((Number) em.createNativeQuery("SELECT count(*) FROM dnc_number").getSingleResult()).longValue();
        return new Page<>(items, page, size, total);
    }

    private int insert(String number, String reason, String by) {
        return em.createNativeQuery("INSERT INTO dnc_number (number, reason, added_by) VALUES (?1, ?2, ?3) "
                        + "ON CONFLICT (number) DO NOTHING")
                .unwrap(org.hibernate.query.NativeQuery.class)
                .setParameter(1, number).setParameter(2, reason, String.class).setParameter(3, by).executeUpdate();
    }

    private static Set<String> numbers(String field, List<String> numbers, List<Problem.FieldError> errors) {
        Set<String> out = new LinkedHashSet<>();
        if (numbers == null) {
            return out;
        }
        for (int i = 0; i < numbers.size(); i++) {
            String why = Numbers.refusal(numbers.get(i));
            if (why != null) {
                errors.add(new Problem.FieldError(field + "[" + i + "]", why));
            } else {
                out.add(numbers.get(i));
            }
        }
        return out;
    }

    private static void check(String field, String number) {
        String why = Numbers.refusal(number);
        if (why != null) {
            throw ProblemException.invalid(field, why);
        }
    }

    private static void checkReason(String reason) {
        if (reason != null && reason.length() > 500) {
            throw ProblemException.invalid("reason", "at most 500 characters");
        }
    }

    private static Entry entry(Object[] r) {
        return new Entry((String) r[0], (String) r[1], (String) r[2], Columns.instant(r[3]));
    }
}
