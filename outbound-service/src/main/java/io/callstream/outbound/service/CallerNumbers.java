package io.callstream.outbound.service;

import io.callstream.outbound.domain.Numbers;
import io.callstream.servicekit.problem.ProblemException;
import io.callstream.servicekit.tx.Columns;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The numbers the platform owns and shows to callees, each with how many calls it may carry at once. */
@ApplicationScoped
@Transactional
public class CallerNumbers {
    public record CallerNumber(String number, int maxConcurrentCalls, long callsInProgress, Instant createdAt) {
    }

    private final EntityManager em;

    CallerNumbers(EntityManager em) {
        this.em = em;
    }

    /** Adds or changes a number; returns whether it was new. */
    public boolean put(String number, Integer maxConcurrentCalls) {
        String why = Numbers.refusal(number);
        if (why != null) {
            throw ProblemException.invalid("number", why);
        }
        if (maxConcurrentCalls == null || maxConcurrentCalls < 1 || maxConcurrentCalls > 10_000) {
            throw ProblemException.invalid("maxConcurrentCalls", "1 to 10000 is required");
        }
        boolean existed = !em.createNativeQuery("SELECT 1 FROM caller_number WHERE number = ?1").setParameter(1, number)
                .getResultList().isEmpty();
        em.createNativeQuery("INSERT INTO caller_number (number, max_concurrent) VALUES (?1, ?2) ON CONFLICT (number) "
                + "DO UPDATE SET max_concurrent = excluded.max_concurrent").setParameter(1, number)
                .setParameter(2, maxConcurrentCalls).executeUpdate();
        return !existed;
    }

    public boolean remove(String number) {
        return em.createNativeQuery("DELETE FROM caller_number WHERE number = ?1").setParameter(1, number).executeUpdate() > 0;
    }

    public Optional<CallerNumber> get(String number) {
        return list().stream().filter(n -> n.number().equals(number)).findFirst();
    }

    public List<CallerNumber> list() {
        List<CallerNumber> out = new ArrayList<>();
        for (Object row : em.createNativeQuery("SELECT c.number, c.max_concurrent, (SELECT count(*) FROM attempt a "
                + "WHERE a.caller_number = c.number AND a.ended_at IS NULL), c.created_at FROM caller_number c "
                + "ORDER BY c.number").getResultList()) {
            Object[] r = (Object[]) row;
            out.add(new CallerNumber((String) r[0], ((Number) r[1]).intValue(), ((Number) r[2]).longValue(),
                    Columns.instant(r[3])));
        }
        return out;
    }
}
