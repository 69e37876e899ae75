package io.callstream.agent.service;

import io.callstream.contracts.agent.AgentRole;
import io.callstream.contracts.agent.SkillAssignment;
import io.callstream.servicekit.problem.Problem.FieldError;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The rules of an agent profile and of a derived skill group id, without Quarkus. */
class ProfileRulesTest {

    static List<String> fieldsAtFault(AgentProfile p) {
        List<FieldError> errors = new ArrayList<>();
        ProfileRules.check(p, "[7].", errors);
        return errors.stream().map(FieldError::field).toList();
    }

    static AgentProfile valid() {
        return new AgentProfile(" S-1 ", " Ann Lee ", " ", "Ann.Lee@Example.com", "+8613800000000", "1001", "qa",
                List.of(new AgentProfile.Skill("pre-sales", 1), new AgentProfile.Skill("renewals", null)));
    }

    @Test
    void aValidProfileIsTrimmedWithRoleParsedAndPriorityDefaulted() {
        List<FieldError> errors = new ArrayList<>();
        ProfileRules.Valid v = ProfileRules.check(valid(), "", errors);
        assertEquals(List.of(), errors);
        assertEquals("S-1", v.staffNumber());
        assertEquals("Ann Lee", v.name());
        assertNull(v.nickname(), "blank optional fields are absent");
        assertEquals("Ann.Lee@Example.com", v.email());
        assertEquals(AgentRole.QA, v.role());
        assertEquals(List.of(new SkillAssignment("pre-sales", 1), new SkillAssignment("renewals", 3)), v.skills());
    }

    @Test
    void eachBadFieldIsNamedWithThePrefix() {
        assertEquals(List.of("[7].staffNumber", "[7].name", "[7].email", "[7].extension", "[7].role"),
                fieldsAtFault(new AgentProfile(null, "", null, null, null, null, null, null)));
        assertEquals(List.of("[7].email", "[7].phone", "[7].extension", "[7].role"),
                fieldsAtFault(new AgentProfile("S-1", "Ann", null, "ann@example", "12", "123", "boss", List.of())));
        assertEquals(List.of("[7].phone", "[7].extension"),
                fieldsAtFault(new AgentProfile("S-1", "Ann", null, "a@b.io", "++123", "1234567", "agent", List.of())));
        assertEquals(List.of("[7].skills[0].priority", "[7].skills[1].priority", "[7].skills[3].skillGroupId",
                        "[7].skills[4].skillGroupId"),
                fieldsAtFault(new AgentProfile("S-1", "Ann", null, "a@b.io", "+123", "123456", "AGENT", List.of(
                        new AgentProfile.Skill("a", 0), new AgentProfile.Skill("b", 6), new AgentProfile.Skill("c", 5),
                        new AgentProfile.Skill("c", 1), new AgentProfile.Skill(" ", 1)))));
        assertEquals(List.of("[7].staffNumber", "[7].name"),
                fieldsAtFault(new AgentProfile("has space", "tab\there", null, "a@b.io", "123", "1234", "AGENT", null)));
    }

    @Test
    void phonesAreDigitsWithAnOptionalPlusThreeToTwentyCharacters() {
        for (String ok : List.of("123", "+12", "+8613800000000", "12345678901234567890")) {
            assertEquals(List.of(), fieldsAtFault(new AgentProfile("S", "n", null, "a@b.io", ok, "1234", "AGENT", null)), ok);
        }
        for (String bad : List.of("12", "+1", "123456789012345678901", "12-34", "+ 123", "1+23")) {
            assertEquals(List.of("[7].phone"), fieldsAtFault(new AgentProfile("S", "n", null, "a@b.io", bad, "1234", "AGENT", null)), bad);
        }
    }

    @Test
    void aSkillGroupIdIsDerivedFromItsName() {
        assertEquals("pre-sales", SkillGroups.slugOf("Pre-Sales"));
        assertEquals("cafe-support-eu", SkillGroups.slugOf("  Café support (EU) "));
        assertEquals("group", SkillGroups.slugOf("售前"));
        assertEquals(63, SkillGroups.slugOf("x".repeat(80)).length());
        assertEquals(true, SkillGroups.ID.matcher(SkillGroups.slugOf("-- " + "ab-".repeat(40))).matches());
    }
}
