package io.callstream.ivr.flow;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * A text with {@code ${name}} placeholders filled from call variables (IVR prompts, HTTP bodies,
 * variable values, condition values …).
 *
 * <ul>
 *   <li>A variable name is a letter or {@code _}, then letters, digits, {@code _ . -}
 *       (e.g. {@code sys.callerNumber}); at most {@value #MAX_NAME_LENGTH} characters.</li>
 *   <li>{@code $$} renders one literal {@code $}, so {@code $${x}} renders the text {@code ${x}}.</li>
 *   <li>A {@code $} followed by anything but <code>{</code> or {@code $} (or ending the text) is literal.</li>
 *   <li>The name of a placeholder runs to the first <code>}</code>; a <code>${</code> without a closing brace,
 *       an empty name or a name breaking the rules above makes the whole text malformed. Problems are
 *       reported with the 0-based position of the placeholder's {@code $}.</li>
 * </ul>
 *
 * <p>The text is parsed once, in a single pass, into alternating literal and variable parts;
 * {@link #render} then only concatenates them. Instances are immutable and thread-safe; two
 * templates are equal when their sources are.
 */
public final class Template {

    /** The longest variable name accepted. */
    public static final int MAX_NAME_LENGTH = 64;

    /** How much of an illegal name is quoted back in a problem message. */
    private static final int QUOTED_NAME_LENGTH = 40;

    private final String source;
    /** Literal text or a variable name, as told by {@link #variable}. Adjacent literals are merged. */
    private final String[] parts;
    private final boolean[] variable;
    private final Set<String> variables;
    /** Total length of the literal parts and number of variable parts, to size the render buffer. */
    private final int literalLength;
    private final int placeholderCount;

    private Template(String source, List<String> parts, List<Boolean> kinds) {
        this.source = source;
        this.parts = parts.toArray(new String[0]);
        this.variable = new boolean[this.parts.length];
        Set<String> names = new LinkedHashSet<>();
        int literal = 0;
        int placeholders = 0;
        for (int i = 0; i < this.parts.length; i++) {
            variable[i] = kinds.get(i);
            if (variable[i]) {
                names.add(this.parts[i]);
                placeholders++;
            } else {
                literal += this.parts[i].length();
            }
        }
        this.variables = Collections.unmodifiableSet(names);
        this.literalLength = literal;
        this.placeholderCount = placeholders;
    }

    /**
     * Parses a template.
     *
     * @throws IllegalArgumentException when the text is malformed; the message names the problem and
     *                                  its position, e.g. {@code unclosed '${' at 12}
     * @throws NullPointerException     when text is null
     */
    public static Template parse(String text) {
        Objects.requireNonNull(text, "text");
        List<String> parts = new ArrayList<>();
        List<Boolean> kinds = new ArrayList<>();
        String problem = scan(text, parts, kinds);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new Template(text, parts, kinds);
    }

    /**
     * The problem {@link #parse} would report, or null when the text is a well-formed template
     * (for validators that collect errors rather than stop at the first).
     *
     * @throws NullPointerException when text is null
     */
    public static String problem(String text) {
        Objects.requireNonNull(text, "text");
        return scan(text, new ArrayList<>(), new ArrayList<>());
    }

    /** The variable names used, each once, in order of first appearance (unmodifiable). */
    public Set<String> variables() {
        return variables;
    }

    /**
     * Fills in the placeholders. The lookup is called once per placeholder occurrence; a null
     * answer renders as the empty string. A constant template never calls the lookup.
     */
    public String render(Function<String, String> lookup) {
        Objects.requireNonNull(lookup, "lookup");
        if (parts.length == 0) {
            return "";
        }
        if (parts.length == 1 && !variable[0]) {
            return parts[0];
        }
        StringBuilder out = new StringBuilder(literalLength + 16 * placeholderCount);
        for (int i = 0; i < parts.length; i++) {
            if (variable[i]) {
                String value = lookup.apply(parts[i]);
                if (value != null) {
                    out.append(value);
                }
            } else {
                out.append(parts[i]);
            }
        }
        return out.toString();
    }

    /** True when the text has no placeholders (it may still have had {@code $$} escapes). */
    public boolean isConstant() {
        return variables.isEmpty();
    }

    /** The text as written, escapes and placeholders included. */
    public String source() {
        return source;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Template other && source.equals(other.source);
    }

    @Override
    public int hashCode() {
        return source.hashCode();
    }

    @Override
    public String toString() {
        return source;
    }

    /** True when s is a legal variable name (the rule placeholders follow). */
    static boolean isVariableName(String s) {
        return s != null && !s.isEmpty() && s.length() <= MAX_NAME_LENGTH && hasLegalCharacters(s);
    }

    private static boolean hasLegalCharacters(String s) {
        char first = s.charAt(0);
        if (!(isAsciiLetter(first) || first == '_')) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(isAsciiLetter(c) || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    /**
     * The single parsing pass: fills parts/kinds (true = variable name) and returns null, or returns
     * the first problem found.
     */
    private static String scan(String text, List<String> parts, List<Boolean> kinds) {
        int n = text.length();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < n) {
            int dollar = text.indexOf('$', i);
            if (dollar < 0 || dollar == n - 1) {
                literal.append(text, i, n);
                break;
            }
            char next = text.charAt(dollar + 1);
            if (next == '$') {
                literal.append(text, i, dollar + 1);
                i = dollar + 2;
            } else if (next == '{') {
                int close = text.indexOf('}', dollar + 2);
                if (close < 0) {
                    return "unclosed '${' at " + dollar;
                }
                String name = text.substring(dollar + 2, close);
                String problem = nameProblem(name, dollar);
                if (problem != null) {
                    return problem;
                }
                literal.append(text, i, dollar);
                if (literal.length() > 0) {
                    parts.add(literal.toString());
                    kinds.add(Boolean.FALSE);
                    literal.setLength(0);
                }
                parts.add(name);
                kinds.add(Boolean.TRUE);
                i = close + 1;
            } else {
                literal.append(text, i, dollar + 1);
                i = dollar + 1;
            }
        }
        if (literal.length() > 0) {
            parts.add(literal.toString());
            kinds.add(Boolean.FALSE);
        }
        return null;
    }

    private static String nameProblem(String name, int position) {
        if (name.isEmpty()) {
            return "empty variable name at " + position;
        }
        if (!hasLegalCharacters(name)) {
            String quoted = name;
            if (name.length() > QUOTED_NAME_LENGTH) {
                int cut = Character.isHighSurrogate(name.charAt(QUOTED_NAME_LENGTH - 1)) ? QUOTED_NAME_LENGTH - 1 : QUOTED_NAME_LENGTH;
                quoted = name.substring(0, cut) + "…";
            }
            return "illegal variable name '" + quoted + "' at " + position;
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return "variable name too long (" + name.length() + " characters, at most " + MAX_NAME_LENGTH + ") at " + position;
        }
        return null;
    }
}
