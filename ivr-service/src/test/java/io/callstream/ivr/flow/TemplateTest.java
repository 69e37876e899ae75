package io.callstream.ivr.flow;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TemplateTest {

    private static Function<String, String> vars(Map<String, String> values) {
        return values::get;
    }

    @Test
    void rendersSeveralVariables() {
        Template t = Template.parse("Hello ${first} ${last}, you have ${n} new messages.");
        assertEquals("Hello Ada Lovelace, you have 3 new messages.",
                t.render(vars(Map.of("first", "Ada", "last", "Lovelace", "n", "3"))));
    }

    @Test
    void rendersAdjacentAndRepeatedVariables() {
        Template t = Template.parse("${a}${b}${a}");
        assertEquals("xyx", t.render(vars(Map.of("a", "x", "b", "y"))));
    }

    @Test
    void variableNamesMayHoldDotsDashesDigitsAndUnderscores() {
        Template t = Template.parse("${sys.callerNumber}/${_x-1.y_2}");
        assertEquals("+3212345/ok", t.render(vars(Map.of("sys.callerNumber", "+3212345", "_x-1.y_2", "ok"))));
    }

    @Test
    void missingVariableRendersEmpty() {
        Template t = Template.parse("[${missing}] and [${present}]");
        assertEquals("[] and [here]", t.render(vars(Map.of("present", "here"))));
        assertEquals("[] and []", t.render(name -> null));
    }

    @Test
    void renderCallsLookupOncePerOccurrence() {
        List<String> asked = new ArrayList<>();
        Template.parse("${a}-${b}-${a}").render(name -> {
            asked.add(name);
            return name;
        });
        assertEquals(List.of("a", "b", "a"), asked);
    }

    @Test
    void constantTemplateNeverCallsLookup() {
        Template t = Template.parse("no placeholders, cost $$5");
        assertEquals("no placeholders, cost $5", t.render(name -> {
            throw new AssertionError("lookup called for " + name);
        }));
    }

    @Test
    void renderedValuesAreNotReinterpreted() {
        Template t = Template.parse("say ${x}");
        assertEquals("say ${y} $$", t.render(vars(Map.of("x", "${y} $$", "y", "wrong"))));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "$${x}           | ${x}",
            "$$              | $",
            "a$$b            | a$b",
            "$$$$            | $$",
            "$$$             | $$",
            "$$$${x}         | $${x}",
            "$${             | ${",
            "cost: $$5.00    | cost: $5.00",
    })
    void doubleDollarIsALiteralDollar(String source, String rendered) {
        Template t = Template.parse(source);
        assertEquals(rendered, t.render(name -> "VALUE"));
        assertTrue(t.isConstant());
        assertTrue(t.variables().isEmpty());
    }

    @Test
    void escapedDollarBeforePlaceholder() {
        Template t = Template.parse("$$${amount}");
        assertEquals("$12", t.render(vars(Map.of("amount", "12"))));
        assertEquals(List.of("amount"), List.copyOf(t.variables()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "$5         | $5",
            "a $ b      | a $ b",
            "end$       | end$",
            "$          | $",
            "$a{b}      | $a{b}",
            "{x} }      | {x} }",
            "$ {x}      | $ {x}",
    })
    void loneDollarIsLiteral(String source, String rendered) {
        Template t = Template.parse(source);
        assertTrue(t.isConstant());
        assertEquals(rendered, t.render(name -> "VALUE"));
    }

    @Test
    void loneDollarNextToPlaceholder() {
        assertEquals("$ 7$", Template.parse("$ ${n}$").render(vars(Map.of("n", "7"))));
        assertEquals("7$x", Template.parse("${n}$x").render(vars(Map.of("n", "7"))));
    }

    @Test
    void unicodeAroundPlaceholders() {
        Template t = Template.parse("Grüße, ${name} — 😀 ${emoji}! 日本語${x}");
        assertEquals("Grüße, Zoë — 😀 🎉! 日本語末",
                t.render(vars(Map.of("name", "Zoë", "emoji", "🎉", "x", "末"))));
    }

    @Test
    void emptyTextIsAConstantRenderingEmpty() {
        Template t = Template.parse("");
        assertTrue(t.isConstant());
        assertEquals("", t.render(name -> "x"));
        assertNull(Template.problem(""));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "${                         | unclosed '${' at 0",
            "Hello there${name          | unclosed '${' at 11",
            "ok ${a} then ${b           | unclosed '${' at 13",
            "$$${x                      | unclosed '${' at 2",
            "${}                        | empty variable name at 0",
            "abc${}                     | empty variable name at 3",
            "${a b}                     | illegal variable name 'a b' at 0",
            "x${1x}                     | illegal variable name '1x' at 1",
            "${a${b}}                   | illegal variable name 'a${b' at 0",
            "hi ${ a}                   | illegal variable name ' a' at 3",
            "${x!}                      | illegal variable name 'x!' at 0",
            "${.x}                      | illegal variable name '.x' at 0",
            "${-x}                      | illegal variable name '-x' at 0",
            "${é}                       | illegal variable name 'é' at 0",
            "${a}${b}${c d}             | illegal variable name 'c d' at 8",
    })
    void malformedTemplatesNameTheProblemAndPosition(String source, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Template.parse(source));
        assertEquals(message, e.getMessage());
        assertEquals(message, Template.problem(source));
    }

    @Test
    void multiLinePlaceholderIsIllegal() {
        assertEquals("illegal variable name 'a\nb' at 2", Template.problem("x ${a\nb}"));
    }

    @Test
    void nameOfExactlyMaxLengthIsAccepted() {
        String name = "v" + "x".repeat(Template.MAX_NAME_LENGTH - 1);
        Template t = Template.parse("${" + name + "}");
        assertEquals("ok", t.render(vars(Map.of(name, "ok"))));
    }

    @Test
    void nameTooLongIsReported() {
        String name = "v" + "x".repeat(Template.MAX_NAME_LENGTH);
        assertEquals("variable name too long (65 characters, at most 64) at 4", Template.problem("abc ${" + name + "}"));
        assertThrows(IllegalArgumentException.class, () -> Template.parse("${" + name + "}"));
    }

    @Test
    void longIllegalNameIsAbbreviatedInTheMessage() {
        String name = "a b" + "c".repeat(500);
        String problem = Template.problem("${" + name + "}");
        assertTrue(problem.startsWith("illegal variable name 'a bccc"), problem);
        assertTrue(problem.endsWith("…' at 0"), problem);
        assertTrue(problem.length() < 100, problem);
    }

    @Test
    void problemIsNullForWellFormedText() {
        assertNull(Template.problem("Hello ${name}, $$ and $ and {braces}"));
    }

    @Test
    void variablesInOrderOfFirstAppearance() {
        Template t = Template.parse("${c} ${a} ${c} ${b} ${a}");
        assertEquals(List.of("c", "a", "b"), List.copyOf(t.variables()));
        assertThrows(UnsupportedOperationException.class, () -> t.variables().add("d"));
    }

    @Test
    void isConstant() {
        assertTrue(Template.parse("plain text").isConstant());
        assertTrue(Template.parse("$${escaped}").isConstant());
        assertFalse(Template.parse("${x}").isConstant());
        assertFalse(Template.parse("a ${x} b").isConstant());
    }

    @Test
    void sourceIsTheTextAsWritten() {
        String text = "a $${b} ${c} $";
        Template t = Template.parse(text);
        assertEquals(text, t.source());
        assertEquals(text, t.toString());
    }

    @Test
    void equalityFollowsTheSource() {
        Template first = Template.parse("${a}");
        Template second = Template.parse("${a}");
        assertNotSame(first, second, "two separate parses");
        assertEquals(first, second);
        assertEquals(first.hashCode(), second.hashCode());
        assertNotEquals(Template.parse("${a}"), Template.parse("${b}"));
    }

    @Test
    void isVariableNameFollowsThePlaceholderRule() {
        assertTrue(Template.isVariableName("sys.callerNumber"));
        assertTrue(Template.isVariableName("_"));
        assertFalse(Template.isVariableName(""));
        assertFalse(Template.isVariableName(null));
        assertFalse(Template.isVariableName("1a"));
        assertFalse(Template.isVariableName("a b"));
        assertFalse(Template.isVariableName("a".repeat(65)));
    }

    @Test
    void nullArgumentsAreRejected() {
        assertThrows(NullPointerException.class, () -> Template.parse(null));
        assertThrows(NullPointerException.class, () -> Template.problem(null));
        assertThrows(NullPointerException.class, () -> Template.parse("x").render(null));
    }
}
