package io.callstream.ivr.flow;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One condition of the IVR "Condition" node: the node tries its conditions in order and leaves by
 * the {@link #exit()} of the first that holds (the default exit is handled by the node).
 *
 * <pre>{@code {"variable": "type", "operator": "EQUALS", "value": "${expected}", "exit": "vip"}}</pre>
 *
 * <ul>
 *   <li>A variable that is not set reads as the empty string.</li>
 *   <li>{@code EQUALS NOT_EQUALS CONTAINS STARTS_WITH ENDS_WITH} compare strings, case-sensitively unless
 *       {@code "ignoreCase": true} (case folding is char by char, as {@link String#equalsIgnoreCase}).</li>
 *   <li>{@code GREATER_THAN GREATER_OR_EQUAL LESS_THAN LESS_OR_EQUAL} compare numbers: both sides are
 *       trimmed and read as {@link BigDecimal} (so {@code 2.50} equals {@code 2.5}); a side that is not a
 *       number makes the condition false. A number is written with ASCII digits, an optional sign, decimal
 *       point and exponent ({@code -3}, {@code .5}, {@code 1e3}); no thousands separators, at most
 *       {@value #MAX_NUMBER_LENGTH} characters.</li>
 *   <li>{@code MATCHES} is true when the whole variable value matches the Java regular expression in
 *       {@code value} (which is not a template). Values longer than {@value #MAX_MATCH_LENGTH} characters
 *       never match, to bound the cost of a hostile input. {@code ignoreCase} makes the pattern
 *       case-insensitive (Unicode-aware).</li>
 *   <li>{@code EMPTY} / {@code NOT_EMPTY} test for the empty string (whitespace is not empty) and take
 *       no value.</li>
 *   <li>For every other operator {@code value} is a {@link Template}: its placeholders are filled from
 *       the same variables when the condition is tested.</li>
 * </ul>
 *
 * @param value   the comparison value; null for {@code MATCHES}, {@code EMPTY} and {@code NOT_EMPTY}
 * @param pattern the compiled expression for {@code MATCHES} (carrying the case-insensitive flag when
 *                parsed with {@code ignoreCase}); null otherwise
 */
public record Condition(String variable, Operator operator, Template value, Pattern pattern, boolean ignoreCase, String exit) {

    /** Values longer than this never {@code MATCHES}. */
    public static final int MAX_MATCH_LENGTH = 10_000;

    /** Longer strings are not read as numbers. */
    public static final int MAX_NUMBER_LENGTH = 1_000;

    private static final Set<String> FIELDS = Set.of("variable", "operator", "value", "ignoreCase", "exit");

    private static final Pattern NUMBER = Pattern.compile("[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]{1,9})?");

    public enum Operator {
        EQUALS, NOT_EQUALS, CONTAINS, STARTS_WITH, ENDS_WITH,
        GREATER_THAN, GREATER_OR_EQUAL, LESS_THAN, LESS_OR_EQUAL,
        MATCHES, EMPTY, NOT_EMPTY;

        /** True for the operators comparing numbers. */
        boolean numeric() {
            return this == GREATER_THAN || this == GREATER_OR_EQUAL || this == LESS_THAN || this == LESS_OR_EQUAL;
        }

        /** False for the operators taking no {@code value}. */
        boolean takesValue() {
            return this != EMPTY && this != NOT_EMPTY;
        }

        /** The operator named so, ignoring case, or null. */
        static Operator named(String name) {
            for (Operator op : values()) {
                if (op.name().equalsIgnoreCase(name) && isAscii(name)) {
                    return op;
                }
            }
            return null;
        }
    }

    /**
     * The outcome of {@link #parse}: a condition and no problems, or no condition and at least one problem,
     * each as {@code "field: message"}.
     */
    public record Parsed(Condition condition, List<String> problems) {
        public Parsed {
            problems = List.copyOf(problems);
        }
    }

    /**
     * Checks that the parts fit together (what {@link #parse} guarantees); mostly for conditions built in code.
     *
     * @throws IllegalArgumentException when they do not
     */
    public Condition {
        Objects.requireNonNull(variable, "variable");
        Objects.requireNonNull(operator, "operator");
        Objects.requireNonNull(exit, "exit");
        if (!Template.isVariableName(variable)) {
            throw new IllegalArgumentException("'" + variable + "' is not a variable name");
        }
        if (exit.isBlank()) {
            throw new IllegalArgumentException("the exit is blank");
        }
        if (operator == Operator.MATCHES && pattern == null) {
            throw new IllegalArgumentException("MATCHES needs a pattern");
        }
        if (operator.takesValue() && operator != Operator.MATCHES && value == null) {
            throw new IllegalArgumentException(operator + " needs a value");
        }
    }

    /**
     * Reads one condition from its JSON form, reporting every problem found (not just the first) as
     * {@code "field: message"}; a JSON {@code null} counts as an absent field. {@code value} may be a
     * string, a number or a boolean (the latter two are taken as their text).
     */
    public static Parsed parse(JsonNode json) {
        if (json == null || !json.isObject()) {
            return new Parsed(null, List.of("condition: must be an object"));
        }
        List<String> problems = new ArrayList<>();

        String variable = null;
        JsonNode v = field(json, "variable");
        if (v == null) {
            problems.add("variable: required");
        } else if (!v.isTextual()) {
            problems.add("variable: must be a string");
        } else if (!Template.isVariableName(v.asText())) {
            problems.add("variable: '" + abbreviate(v.asText()) + "' is not a variable name"
                    + " (a letter or _, then letters, digits, _ . -; at most " + Template.MAX_NAME_LENGTH + " characters)");
        } else {
            variable = v.asText();
        }

        Operator operator = null;
        boolean operatorKnown = false;
        JsonNode o = field(json, "operator");
        if (o == null) {
            problems.add("operator: required");
        } else if (!o.isTextual()) {
            problems.add("operator: must be a string");
        } else {
            operator = Operator.named(o.asText());
            if (operator == null) {
                problems.add("operator: unknown operator '" + abbreviate(o.asText()) + "' (one of "
                        + String.join(", ", operatorNames()) + ")");
            } else {
                operatorKnown = true;
            }
        }

        boolean ignoreCase = false;
        JsonNode ic = field(json, "ignoreCase");
        if (ic != null) {
            if (ic.isBoolean()) {
                ignoreCase = ic.booleanValue();
            } else {
                problems.add("ignoreCase: must be true or false");
            }
        }

        Template value = null;
        Pattern pattern = null;
        JsonNode val = field(json, "value");
        String valueText = null;
        if (val != null) {
            if (val.isTextual() || val.isNumber() || val.isBoolean()) {
                valueText = val.asText();
            } else {
                problems.add("value: must be a string, number or boolean");
            }
        }
        if (operatorKnown) {
            if (!operator.takesValue()) {
                if (val != null) {
                    problems.add("value: " + operator + " takes no value");
                }
            } else if (val == null) {
                problems.add("value: required for " + operator);
            } else if (valueText != null) {
                if (operator == Operator.MATCHES) {
                    if (valueText.contains("${")) {
                        problems.add("value: MATCHES takes a regular expression, which cannot hold ${…} placeholders");
                    } else {
                        try {
                            pattern = ignoreCase
                                    ? Pattern.compile(valueText, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE)
                                    : Pattern.compile(valueText);
                        } catch (PatternSyntaxException e) {
                            problems.add("value: invalid regular expression: " + e.getDescription()
                                    + (e.getIndex() >= 0 ? " at " + e.getIndex() : ""));
                        }
                    }
                } else {
                    String problem = Template.problem(valueText);
                    if (problem != null) {
                        problems.add("value: " + problem);
                    } else {
                        value = Template.parse(valueText);
                        if (operator.numeric() && value.isConstant() && number(value.render(name -> "")) == null) {
                            problems.add("value: '" + abbreviate(valueText) + "' is not a number (" + operator + " compares numbers)");
                        }
                    }
                }
            }
        }

        String exit = null;
        JsonNode e = field(json, "exit");
        if (e == null) {
            problems.add("exit: required");
        } else if (!e.isTextual() || e.asText().isBlank()) {
            problems.add("exit: must be a non-empty string");
        } else {
            exit = e.asText();
        }

        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                problems.add(name + ": unknown setting");
            }
        }

        if (!problems.isEmpty()) {
            return new Parsed(null, problems);
        }
        return new Parsed(new Condition(variable, operator, value, pattern, ignoreCase, exit), List.of());
    }

    /**
     * Whether the condition holds for these variables (a variable the function maps to null is "").
     * The function also fills the placeholders of {@link #value()}.
     */
    public boolean test(Function<String, String> variables) {
        Objects.requireNonNull(variables, "variables");
        String actual = orEmpty(variables.apply(variable));
        switch (operator) {
            case EMPTY:
                return actual.isEmpty();
            case NOT_EMPTY:
                return !actual.isEmpty();
            case MATCHES:
                return actual.length() <= MAX_MATCH_LENGTH && pattern.matcher(actual).matches();
            default:
                break;
        }
        String expected = value.render(variables);
        switch (operator) {
            case EQUALS:
                return ignoreCase ? actual.equalsIgnoreCase(expected) : actual.equals(expected);
            case NOT_EQUALS:
                return !(ignoreCase ? actual.equalsIgnoreCase(expected) : actual.equals(expected));
            case CONTAINS:
                return ignoreCase ? containsIgnoreCase(actual, expected) : actual.contains(expected);
            case STARTS_WITH:
                return actual.regionMatches(ignoreCase, 0, expected, 0, expected.length());
            case ENDS_WITH:
                return actual.length() >= expected.length()
                        && actual.regionMatches(ignoreCase, actual.length() - expected.length(), expected, 0, expected.length());
            default:
                return compare(actual, expected);
        }
    }

    /** Records compare patterns by identity; two conditions read from the same JSON should be equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Condition c
                && variable.equals(c.variable)
                && operator == c.operator
                && Objects.equals(value, c.value)
                && samePattern(pattern, c.pattern)
                && ignoreCase == c.ignoreCase
                && exit.equals(c.exit);
    }

    @Override
    public int hashCode() {
        return Objects.hash(variable, operator, value, pattern == null ? null : pattern.pattern(), ignoreCase, exit);
    }

    private boolean compare(String actual, String expected) {
        BigDecimal left = number(actual);
        BigDecimal right = number(expected);
        if (left == null || right == null) {
            return false;
        }
        int c = left.compareTo(right);
        switch (operator) {
            case GREATER_THAN:
                return c > 0;
            case GREATER_OR_EQUAL:
                return c >= 0;
            case LESS_THAN:
                return c < 0;
            case LESS_OR_EQUAL:
                return c <= 0;
            default:
                throw new IllegalStateException("not a numeric operator: " + operator);
        }
    }

    /** The trimmed text as a number, or null when it is not one. */
    static BigDecimal number(String text) {
        String t = text.trim();
        if (t.isEmpty() || t.length() > MAX_NUMBER_LENGTH || !NUMBER.matcher(t).matches()) {
            return null;
        }
        try {
            return new BigDecimal(t);
        } catch (NumberFormatException e) {
            return null; // exponent out of range
        }
    }

    private static boolean containsIgnoreCase(String text, String part) {
        int last = text.length() - part.length();
        for (int i = 0; i <= last; i++) {
            if (text.regionMatches(true, i, part, 0, part.length())) {
                return true;
            }
        }
        return false;
    }

    private static boolean samePattern(Pattern a, Pattern b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.pattern().equals(b.pattern()) && a.flags() == b.flags();
    }

    private static JsonNode field(JsonNode json, String name) {
        JsonNode v = json.get(name);
        return v == null || v.isNull() ? null : v;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    private static List<String> operatorNames() {
        List<String> names = new ArrayList<>();
        for (Operator op : Operator.values()) {
            names.add(op.name());
        }
        return names;
    }
}
