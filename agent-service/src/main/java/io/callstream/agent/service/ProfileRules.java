package io.callstream.agent.service;

import io.callstream.contracts.agent.AgentRole;
import io.callstream.contracts.agent.SkillAssignment;
import io.callstream.servicekit.problem.Problem.FieldError;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What makes an agent profile valid, the same for a single create or replace and for every row of an
 * import. Each problem is added with its field (prefixed, e.g. {@code [3].email} or {@code rows[5].email}).
 */
public final class ProfileRules {
    public static final int DEFAULT_PRIORITY = 3;
    static final Pattern STAFF_NUMBER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,31}");
    static final Pattern EMAIL = Pattern.compile("[^\\s@]+@[^\\s@.]+(\\.[^\\s@.]+)+");
    static final Pattern PHONE = Pattern.compile("\\+?[0-9]+");
    static final Pattern EXTENSION = Pattern.compile("[0-9]{4,6}");
    static final int MAX_NAME = 100;
    static final int MAX_NICKNAME = 50;
    static final int MAX_EMAIL = 254;
    static final int MAX_SKILLS = 100;

    /**
     * A profile as checked: trimmed, optional blanks as null, the role parsed, priorities defaulted. A
     * field that failed is null (and the skills that failed are left out), so an import can still look
     * for duplicates among the fields that passed.
     */
    public record Valid(String staffNumber, String name, String nickname, String email, String phone,
                        String extension, AgentRole role, List<SkillAssignment> skills) {
    }

    private ProfileRules() {
    }

    /** Checks {@code p}, adding each problem to {@code errors}; returns it normalised (see {@link Valid}). */
    public static Valid check(AgentProfile p, String prefix, List<FieldError> errors) {
        String staffNumber = trim(p.staffNumber());
        if (staffNumber == null) {
            errors.add(new FieldError(prefix + "staffNumber", "is required"));
        } else if (!STAFF_NUMBER.matcher(staffNumber).matches()) {
            errors.add(new FieldError(prefix + "staffNumber",
                    "must be 1 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit"));
            staffNumber = null;
        }
        String name = trim(p.name());
        if (name == null) {
            errors.add(new FieldError(prefix + "name", "is required"));
        } else if (name.length() > MAX_NAME) {
            errors.add(new FieldError(prefix + "name", "is longer than " + MAX_NAME + " characters"));
        } else if (hasControl(name)) {
            errors.add(new FieldError(prefix + "name", "must not contain control characters"));
        }
        String nickname = trim(p.nickname());
        if (nickname != null && nickname.length() > MAX_NICKNAME) {
            errors.add(new FieldError(prefix + "nickname", "is longer than " + MAX_NICKNAME + " characters"));
        } else if (nickname != null && hasControl(nickname)) {
            errors.add(new FieldError(prefix + "nickname", "must not contain control characters"));
        }
        String email = trim(p.email());
        if (email == null) {
            errors.add(new FieldError(prefix + "email", "is required"));
        } else if (email.length() > MAX_EMAIL || !EMAIL.matcher(email).matches()) {
            errors.add(new FieldError(prefix + "email", "'" + email + "' is not an email address such as ann@example.com"));
            email = null;
        }
        String phone = trim(p.phone());
        if (phone != null && (phone.length() < 3 || phone.length() > 20 || !PHONE.matcher(phone).matches())) {
            errors.add(new FieldError(prefix + "phone", "'" + phone + "' is not a phone number: 3 to 20 characters, digits with an optional leading +"));
        }
        String extension = trim(p.extension());
        if (extension == null) {
            errors.add(new FieldError(prefix + "extension", "is required"));
        } else if (!EXTENSION.matcher(extension).matches()) {
            errors.add(new FieldError(prefix + "extension", "'" + extension + "' is not an extension: 4 to 6 digits"));
            extension = null;
        }
        AgentRole role = null;
        String roleText = trim(p.role());
        if (roleText == null) {
            errors.add(new FieldError(prefix + "role", "is required: ADMIN, QA or AGENT"));
        } else {
            try {
                role = AgentRole.valueOf(roleText.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError(prefix + "role", "'" + roleText + "' is not one of ADMIN, QA, AGENT"));
            }
        }
        List<SkillAssignment> skills = skills(p.skills(), prefix, errors);
        return new Valid(staffNumber, name, nickname, email, phone, extension, role, skills);
    }

    private static List<SkillAssignment> skills(List<AgentProfile.Skill> given, String prefix, List<FieldError> errors) {
        if (given == null) {
            return List.of();
        }
        if (given.size() > MAX_SKILLS) {
            errors.add(new FieldError(prefix + "skills", "lists more than " + MAX_SKILLS + " skill groups"));
            return List.of();
        }
        List<SkillAssignment> skills = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < given.size(); i++) {
            AgentProfile.Skill s = given.get(i);
            String field = prefix + "skills[" + i + "]";
            if (s == null) {
                errors.add(new FieldError(field, "is empty"));
                continue;
            }
            String group = trim(s.skillGroupId());
            if (group == null) {
                errors.add(new FieldError(field + ".skillGroupId", "is required"));
                continue;
            }
            int priority = s.priority() == null ? DEFAULT_PRIORITY : s.priority();
            if (priority < 1 || priority > 5) {
                errors.add(new FieldError(field + ".priority", s.priority() + " is not a priority: 1 (highest) to 5 (lowest)"));
                continue;
            }
            if (!seen.add(group)) {
                errors.add(new FieldError(field + ".skillGroupId", "'" + group + "' is listed twice"));
                continue;
            }
            skills.add(new SkillAssignment(group, priority));
        }
        return skills;
    }

    static String trim(String s) {
        if (s == null) {
            return null;
        }
        String t = s.strip();
        return t.isEmpty() ? null : t;
    }

    private static boolean hasControl(String s) {
        return s.chars().anyMatch(Character::isISOControl);
    }
}
