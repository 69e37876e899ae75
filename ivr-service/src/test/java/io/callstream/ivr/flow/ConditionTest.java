package io.callstream.ivr.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class ConditionTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** JSON written with ' for " to keep the tests readable. */
    private static JsonNode json(String singleQuoted) {
        try {
            return MAPPER.readTree(singleQuoted.replace('\'', '"'));
        } catch (Exception e) {
            throw new AssertionError("bad test JSON: " + singleQuoted, e);
        }
    }

    private static Condition condition(String singleQuoted) {
        Condition.Parsed parsed = Condition.parse(json(singleQuoted));
        if (!parsed.problems().isEmpty()) {
            fail("unexpected problems " + parsed.problems() + " for " + singleQuoted);
        }
        assertNotNull(parsed.condition());
        return parsed.condition();
    }

    private static List<String> problems(String singleQuoted) {
        Condition.Parsed parsed = Condition.parse(json(singleQuoted));
        assertNull(parsed.condition(), "a condition despite problems " + parsed.problems());
        assertFalse(parsed.problems().isEmpty(), "no problems for " + singleQuoted);
        return parsed.problems();
    }

    /** Condition on variable x with this operator and value. */
    private static Condition op(String operator, String value) {
        return condition("{'variable':'x','operator':'" + operator + "','value':'" + value + "','exit':'yes'}");
    }

    private static Condition opIgnoreCase(String operator, String value) {
        return condition("{'variable':'x','operator':'" + operator + "','value':'" + value + "','ignoreCase':true,'exit':'yes'}");
    }

    private static Function<String, String> x(String value) {
        Map<String, String> vars = new HashMap<>();
        vars.put("x", value);
        return vars::get;
    }

    private static final Function<String, String> NONE = name -> null;

    // ---- parsing ----

    @Test
    void parsesTheDocumentedExample() {
        Condition c = condition("{'variable':'type','operator':'EQUALS','value':'${expected}','exit':'vip'}");
        assertEquals("type", c.variable());
        assertEquals(Condition.Operator.EQUALS, c.operator());
        assertEquals("${expected}", c.value().source());
        assertNull(c.pattern());
        assertFalse(c.ignoreCase());
        assertEquals("vip", c.exit());
        assertTrue(c.test(Map.of("type", "gold", "expected", "gold")::get));
        assertFalse(c.test(Map.of("type", "gold", "expected", "silver")::get));
    }

    @Test
    void operatorNameIsCaseInsensitive() {
        assertEquals(Condition.Operator.STARTS_WITH, op("starts_with", "a").operator());
        assertEquals(Condition.Operator.NOT_EMPTY,
                condition("{'variable':'x','operator':'Not_Empty','exit':'e'}").operator());
    }

    @Test
    void nullFieldsCountAsAbsent() {
        Condition c = condition("{'variable':'x','operator':'EMPTY','value':null,'ignoreCase':null,'exit':'e'}");
        assertFalse(c.ignoreCase());
        assertNull(c.value());
    }

    @Test
    void numberAndBooleanValuesAreTakenAsText() {
        assertEquals("5", condition("{'variable':'x','operator':'GREATER_THAN','value':5,'exit':'e'}").value().source());
        assertEquals("true", condition("{'variable':'x','operator':'EQUALS','value':true,'exit':'e'}").value().source());
        assertTrue(condition("{'variable':'x','operator':'LESS_THAN','value':2.5,'exit':'e'}").test(x("2.4")));
    }

    @Test
    void sameJsonGivesEqualConditions() {
        String text = "{'variable':'x','operator':'MATCHES','value':'[0-9]+','ignoreCase':true,'exit':'e'}";
        Condition first = condition(text);
        Condition second = condition(text);
        assertNotSame(first, second, "two separate parses");
        assertEquals(first, second);
        assertEquals(first.hashCode(), second.hashCode());
        assertNotEquals(condition(text), condition(text.replace("true", "false")));
        assertEquals(op("EQUALS", "${a}"), op("EQUALS", "${a}"));
    }

    // ---- string operators ----

    @Test
    void equals() {
        Condition c = op("EQUALS", "Gold");
        assertTrue(c.test(x("Gold")));
        assertFalse(c.test(x("gold")));
        assertFalse(c.test(x("Gold ")));
        assertFalse(c.test(NONE));
    }

    @Test
    void equalsEmptyStringMatchesMissingVariable() {
        Condition c = condition("{'variable':'x','operator':'EQUALS','value':'','exit':'e'}");
        assertTrue(c.test(NONE));
        assertFalse(c.test(x("a")));
    }

    @Test
    void notEquals() {
        Condition c = op("NOT_EQUALS", "Gold");
        assertTrue(c.test(x("Silver")));
        assertTrue(c.test(x("gold")));
        assertTrue(c.test(NONE));
        assertFalse(c.test(x("Gold")));
    }

    @Test
    void contains() {
        Condition c = op("CONTAINS", "lo W");
        assertTrue(c.test(x("Hello World")));
        assertFalse(c.test(x("hello world")));
        assertFalse(c.test(x("lo")));
        assertFalse(c.test(NONE));
    }

    @Test
    void startsWith() {
        Condition c = op("STARTS_WITH", "+32");
        assertTrue(c.test(x("+32470123456")));
        assertTrue(c.test(x("+32")));
        assertFalse(c.test(x("0032470123456")));
        assertFalse(c.test(x("+3")));
        assertFalse(c.test(NONE));
    }

    @Test
    void endsWith() {
        Condition c = op("ENDS_WITH", ".wav");
        assertTrue(c.test(x("hello.wav")));
        assertTrue(c.test(x(".wav")));
        assertFalse(c.test(x("hello.WAV")));
        assertFalse(c.test(x("wav")));
        assertFalse(c.test(NONE));
    }

    @Test
    void ignoreCaseStringOperators() {
        assertTrue(opIgnoreCase("EQUALS", "GOLD").test(x("gold")));
        assertFalse(opIgnoreCase("EQUALS", "GOLD").test(x("golden")));
        assertFalse(opIgnoreCase("NOT_EQUALS", "GOLD").test(x("Gold")));
        assertTrue(opIgnoreCase("NOT_EQUALS", "GOLD").test(x("Silver")));
        assertTrue(opIgnoreCase("CONTAINS", "WORLD").test(x("hello world!")));
        assertFalse(opIgnoreCase("CONTAINS", "WORLDS").test(x("hello world")));
        assertTrue(opIgnoreCase("CONTAINS", "").test(x("")));
        assertTrue(opIgnoreCase("STARTS_WITH", "HEL").test(x("hello")));
        assertFalse(opIgnoreCase("STARTS_WITH", "HELLO!").test(x("hello")));
        assertTrue(opIgnoreCase("ENDS_WITH", "LO").test(x("hello")));
        assertFalse(opIgnoreCase("ENDS_WITH", "XLO").test(x("lo")));
        assertTrue(opIgnoreCase("EQUALS", "ÉTÉ").test(x("été")));
    }

    @Test
    void ignoreCaseIsOffByDefault() {
        assertFalse(condition("{'variable':'x','operator':'EQUALS','value':'A','ignoreCase':false,'exit':'e'}").test(x("a")));
    }

    // ---- numeric operators ----

    @ParameterizedTest(name = "{1} {0} {2} is {3}")
    @CsvSource({
            "GREATER_THAN,     10,    9,      true",
            "GREATER_THAN,     9,     9,      false",
            "GREATER_THAN,     8,     9,      false",
            "GREATER_OR_EQUAL, 9,     9,      true",
            "GREATER_OR_EQUAL, 9.5,   9,      true",
            "GREATER_OR_EQUAL, 8.99,  9,      false",
            "LESS_THAN,        8,     9,      true",
            "LESS_THAN,        9,     9,      false",
            "LESS_THAN,        10,    9,      false",
            "LESS_OR_EQUAL,    9,     9,      true",
            "LESS_OR_EQUAL,    -10,   9,      true",
            "LESS_OR_EQUAL,    9.01,  9,      false",
            "GREATER_THAN,     10,    9.99,   true",
            "LESS_THAN,        -2.5,  -2.4,   true",
            "GREATER_THAN,     -2.5,  -2.4,   false",
            "GREATER_THAN,     0,     -0.001, true",
            "GREATER_OR_EQUAL, 2.50,  2.5,    true",
            "LESS_OR_EQUAL,    2.50,  2.5,    true",
            "GREATER_THAN,     1e3,   999,    true",
            "LESS_THAN,        .5,    1,      true",
            "GREATER_THAN,     +7,    6,      true",
            "GREATER_THAN,     100000000000000000000000000001, 100000000000000000000000000000, true",
    })
    void numericComparisons(String operator, String actual, String value, boolean expected) {
        assertEquals(expected, op(operator, value).test(x(actual)));
    }

    @Test
    void numbersAreTrimmed() {
        assertTrue(op("GREATER_THAN", " 5 ").test(x("  6\t")));
    }

    @ParameterizedTest
    @EnumSource(value = Condition.Operator.class, names = {"GREATER_THAN", "GREATER_OR_EQUAL", "LESS_THAN", "LESS_OR_EQUAL"})
    void nonNumbersMakeNumericConditionsFalse(Condition.Operator operator) {
        Condition c = op(operator.name(), "5");
        for (String notANumber : new String[] {"", "abc", "5a", "1,5", "0x10", "NaN", "Infinity", "1e", "--1", "١٢"}) {
            assertFalse(c.test(x(notANumber)), operator + " with '" + notANumber + "'");
        }
        assertFalse(c.test(NONE), operator + " with a missing variable");
    }

    @Test
    void nonNumericTemplatedValueMakesNumericConditionFalse() {
        Condition greater = op("GREATER_THAN", "${limit}");
        Condition less = op("LESS_OR_EQUAL", "${limit}");
        Map<String, String> vars = new HashMap<>(Map.of("x", "5", "limit", "lots"));
        assertFalse(greater.test(vars::get));
        assertFalse(less.test(vars::get));
        vars.put("limit", "4");
        assertTrue(greater.test(vars::get));
        assertFalse(less.test(vars::get));
    }

    @Test
    void tooLongNumberIsNotANumber() {
        assertFalse(op("GREATER_THAN", "1").test(x("9".repeat(Condition.MAX_NUMBER_LENGTH + 1))));
        assertTrue(op("GREATER_THAN", "1").test(x("9".repeat(Condition.MAX_NUMBER_LENGTH))));
    }

    @Test
    void hugeExponentsCompareWithoutTrouble() {
        assertFalse(op("GREATER_THAN", "1e999999999").test(x("1e999999999")));
        assertTrue(op("GREATER_OR_EQUAL", "1e999999999").test(x("10e999999998")));
        assertTrue(op("LESS_THAN", "1").test(x("1e-999999999")));
        assertFalse(op("LESS_THAN", "1").test(x("1e9999999999"))); // exponent too long: not a number
    }

    // ---- MATCHES ----

    @Test
    void matchesIsAFullMatch() {
        Condition c = op("MATCHES", "[0-9]{3}");
        assertTrue(c.test(x("123")));
        assertFalse(c.test(x("1234")));
        assertFalse(c.test(x("a123")));
        assertFalse(c.test(x("12")));
        assertFalse(c.test(NONE));
        assertNotNull(c.pattern());
        assertNull(c.value());
    }

    @Test
    void matchesWithAlternativesAndEscapes() {
        Condition c = condition("{'variable':'x','operator':'MATCHES','value':'\\\\+32[0-9]+|0[0-9]+','exit':'e'}");
        assertEquals("\\+32[0-9]+|0[0-9]+", c.pattern().pattern());
        assertTrue(c.test(x("+32470")));
        assertTrue(c.test(x("0470")));
        assertFalse(c.test(x("32470")));
    }

    @Test
    void matchesEmptyPatternOnlyMatchesEmpty() {
        Condition c = op("MATCHES", "");
        assertTrue(c.test(NONE));
        assertFalse(c.test(x("a")));
    }

    @Test
    void matchesIgnoreCase() {
        assertTrue(opIgnoreCase("MATCHES", "yes|oui").test(x("OUI")));
        assertTrue(opIgnoreCase("MATCHES", "été").test(x("ÉTÉ")));
        assertFalse(op("MATCHES", "yes|oui").test(x("OUI")));
    }

    @Test
    void matchesDoesNotTreatDollarAsTemplate() {
        Condition c = op("MATCHES", "a$$");
        assertTrue(c.test(x("a")));
        assertFalse(c.test(x("a$")));
    }

    @Test
    void matchesRefusesHugeValues() {
        Condition c = op("MATCHES", "a*");
        assertTrue(c.test(x("a".repeat(Condition.MAX_MATCH_LENGTH))));
        assertFalse(c.test(x("a".repeat(Condition.MAX_MATCH_LENGTH + 1))));
    }

    // ---- EMPTY / NOT_EMPTY ----

    @Test
    void empty() {
        Condition c = condition("{'variable':'x','operator':'EMPTY','exit':'e'}");
        assertTrue(c.test(NONE));
        assertTrue(c.test(x("")));
        assertFalse(c.test(x("a")));
        assertFalse(c.test(x(" ")));
    }

    @Test
    void notEmpty() {
        Condition c = condition("{'variable':'x','operator':'NOT_EMPTY','exit':'e'}");
        assertFalse(c.test(NONE));
        assertFalse(c.test(x("")));
        assertTrue(c.test(x("a")));
        assertTrue(c.test(x(" ")));
    }

    // ---- templated values ----

    @Test
    void templatedValueIsRenderedAtEvaluation() {
        Condition c = op("STARTS_WITH", "${prefix}-${area}");
        Map<String, String> vars = new HashMap<>(Map.of("x", "BE-02-1234", "prefix", "BE", "area", "02"));
        assertTrue(c.test(vars::get));
        vars.put("area", "03");
        assertFalse(c.test(vars::get));
        vars.remove("prefix");
        vars.put("x", "-03-9");
        assertTrue(c.test(vars::get), "missing variable in the value renders as empty");
    }

    @Test
    void templatedValueMayCompareTwoVariablesNumerically() {
        Condition c = op("GREATER_OR_EQUAL", "${min}");
        assertTrue(c.test(Map.of("x", "-1.5", "min", "-1.50")::get));
        assertFalse(c.test(Map.of("x", "-1.6", "min", "-1.5")::get));
    }

    @Test
    void escapedDollarInValue() {
        assertTrue(op("EQUALS", "$$5").test(x("$5")));
        assertTrue(op("EQUALS", "$${x}").test(x("${x}")));
    }

    // ---- validation ----

    @Test
    void notAnObject() {
        assertEquals(List.of("condition: must be an object"), Condition.parse(json("['x']")).problems());
        assertEquals(List.of("condition: must be an object"), Condition.parse(json("'x'")).problems());
        assertEquals(List.of("condition: must be an object"), Condition.parse(null).problems());
    }

    @Test
    void emptyObjectReportsEveryRequiredField() {
        assertEquals(List.of("variable: required", "operator: required", "exit: required"), problems("{}"));
    }

    @Test
    void variableProblems() {
        assertEquals(List.of("variable: must be a string"),
                problems("{'variable':5,'operator':'EMPTY','exit':'e'}"));
        assertEquals(List.of("variable: 'a b' is not a variable name (a letter or _, then letters, digits, _ . -; at most 64 characters)"),
                problems("{'variable':'a b','operator':'EMPTY','exit':'e'}"));
        assertTrue(problems("{'variable':'${x}','operator':'EMPTY','exit':'e'}").get(0).startsWith("variable: '${x}' is not"));
        assertTrue(problems("{'variable':'1x','operator':'EMPTY','exit':'e'}").get(0).startsWith("variable: '1x' is not"));
        assertTrue(problems("{'variable':'','operator':'EMPTY','exit':'e'}").get(0).startsWith("variable: '' is not"));
        assertTrue(problems("{'variable':'" + "a".repeat(65) + "','operator':'EMPTY','exit':'e'}").get(0).startsWith("variable: 'aaa"));
        condition("{'variable':'" + "a".repeat(64) + "','operator':'EMPTY','exit':'e'}");
    }

    @Test
    void operatorProblems() {
        assertEquals(List.of("operator: must be a string"), problems("{'variable':'x','operator':3,'exit':'e'}"));
        assertEquals(List.of("operator: must be a string"), problems("{'variable':'x','operator':['EQUALS'],'exit':'e'}"));
        List<String> unknown = problems("{'variable':'x','operator':'LIKE','value':'a','exit':'e'}");
        assertEquals(1, unknown.size());
        assertTrue(unknown.get(0).startsWith("operator: unknown operator 'LIKE' (one of EQUALS, NOT_EQUALS,"), unknown.get(0));
        assertTrue(problems("{'variable':'x','operator':'','exit':'e'}").get(0).startsWith("operator: unknown operator ''"));
    }

    @Test
    void valueRequiredForComparingOperators() {
        for (Condition.Operator operator : Condition.Operator.values()) {
            if (operator == Condition.Operator.EMPTY || operator == Condition.Operator.NOT_EMPTY) {
                continue;
            }
            assertEquals(List.of("value: required for " + operator),
                    problems("{'variable':'x','operator':'" + operator + "','exit':'e'}"));
        }
    }

    @Test
    void valueNotTakenByEmptyOperators() {
        assertEquals(List.of("value: EMPTY takes no value"),
                problems("{'variable':'x','operator':'EMPTY','value':'a','exit':'e'}"));
        assertEquals(List.of("value: NOT_EMPTY takes no value"),
                problems("{'variable':'x','operator':'NOT_EMPTY','value':'','exit':'e'}"));
    }

    @Test
    void valueWrongType() {
        assertEquals(List.of("value: must be a string, number or boolean"),
                problems("{'variable':'x','operator':'EQUALS','value':{'a':1},'exit':'e'}"));
        assertEquals(List.of("value: must be a string, number or boolean"),
                problems("{'variable':'x','operator':'EQUALS','value':[1],'exit':'e'}"));
    }

    @Test
    void valueMustBeAWellFormedTemplate() {
        assertEquals(List.of("value: unclosed '${' at 2"), problems("{'variable':'x','operator':'EQUALS','value':'a ${b','exit':'e'}"));
        assertEquals(List.of("value: empty variable name at 0"), problems("{'variable':'x','operator':'CONTAINS','value':'${}','exit':'e'}"));
        assertEquals(List.of("value: illegal variable name 'a b' at 0"),
                problems("{'variable':'x','operator':'LESS_THAN','value':'${a b}','exit':'e'}"));
    }

    @Test
    void numericOperatorsNeedANumberWhenTheValueIsConstant() {
        assertEquals(List.of("value: 'ten' is not a number (GREATER_THAN compares numbers)"),
                problems("{'variable':'x','operator':'GREATER_THAN','value':'ten','exit':'e'}"));
        assertEquals(List.of("value: '' is not a number (LESS_OR_EQUAL compares numbers)"),
                problems("{'variable':'x','operator':'LESS_OR_EQUAL','value':'','exit':'e'}"));
        assertEquals(List.of("value: '$$5' is not a number (LESS_THAN compares numbers)"),
                problems("{'variable':'x','operator':'LESS_THAN','value':'$$5','exit':'e'}"));
        assertEquals(List.of("value: 'true' is not a number (GREATER_OR_EQUAL compares numbers)"),
                problems("{'variable':'x','operator':'GREATER_OR_EQUAL','value':true,'exit':'e'}"));
        condition("{'variable':'x','operator':'GREATER_THAN','value':' -1.5 ','exit':'e'}");
        condition("{'variable':'x','operator':'GREATER_THAN','value':'${limit}','exit':'e'}");
        condition("{'variable':'x','operator':'GREATER_THAN','value':'${a}x','exit':'e'}");
    }

    @Test
    void matchesPatternMustCompile() {
        List<String> problems = problems("{'variable':'x','operator':'MATCHES','value':'(abc','exit':'e'}");
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).startsWith("value: invalid regular expression: Unclosed group"), problems.get(0));
        List<String> star = problems("{'variable':'x','operator':'MATCHES','value':'*a','exit':'e'}");
        assertTrue(star.get(0).startsWith("value: invalid regular expression: Dangling meta character '*' at 0"), star.get(0));
    }

    @Test
    void matchesPatternMustNotHoldPlaceholders() {
        assertEquals(List.of("value: MATCHES takes a regular expression, which cannot hold ${…} placeholders"),
                problems("{'variable':'x','operator':'MATCHES','value':'${prefix}[0-9]+','exit':'e'}"));
    }

    @Test
    void ignoreCaseMustBeABoolean() {
        assertEquals(List.of("ignoreCase: must be true or false"),
                problems("{'variable':'x','operator':'EQUALS','value':'a','ignoreCase':'yes','exit':'e'}"));
        assertEquals(List.of("ignoreCase: must be true or false"),
                problems("{'variable':'x','operator':'EQUALS','value':'a','ignoreCase':1,'exit':'e'}"));
    }

    @Test
    void exitProblems() {
        assertEquals(List.of("exit: required"), problems("{'variable':'x','operator':'EMPTY'}"));
        assertEquals(List.of("exit: must be a non-empty string"), problems("{'variable':'x','operator':'EMPTY','exit':''}"));
        assertEquals(List.of("exit: must be a non-empty string"), problems("{'variable':'x','operator':'EMPTY','exit':'  '}"));
        assertEquals(List.of("exit: must be a non-empty string"), problems("{'variable':'x','operator':'EMPTY','exit':7}"));
    }

    @Test
    void unknownFields() {
        assertEquals(List.of("foo: unknown setting"), problems("{'variable':'x','operator':'EMPTY','exit':'e','foo':1}"));
        assertEquals(List.of("variable: required", "Variable: unknown setting"),
                problems("{'Variable':'x','operator':'EMPTY','exit':'e'}"));
    }

    @Test
    void reportsEveryProblemAtOnce() {
        List<String> problems = problems(
                "{'variable':'a b','operator':'GREATER_THAN','value':'lots','ignoreCase':'no','exit':'','colour':'red','size':2}");
        assertEquals(List.of(
                "variable: 'a b' is not a variable name (a letter or _, then letters, digits, _ . -; at most 64 characters)",
                "ignoreCase: must be true or false",
                "value: 'lots' is not a number (GREATER_THAN compares numbers)",
                "exit: must be a non-empty string",
                "colour: unknown setting",
                "size: unknown setting"), problems);
    }

    @Test
    void unknownOperatorStillChecksOtherFields() {
        List<String> problems = problems("{'operator':7,'value':[],'exit':3}");
        assertEquals(List.of(
                "variable: required",
                "operator: must be a string",
                "value: must be a string, number or boolean",
                "exit: must be a non-empty string"), problems);
    }

    @Test
    void everyProblemNamesItsField() {
        List<String> problems = problems("{'variable':1,'operator':'MATCHES','value':'[','ignoreCase':0,'exit':false,'x':1}");
        assertEquals(5, problems.size(), problems.toString());
        for (String problem : problems) {
            assertTrue(problem.matches("(variable|operator|value|ignoreCase|exit|x): .+"), problem);
        }
    }

    // ---- built in code ----

    @Test
    void constructorChecksConsistency() {
        Template a = Template.parse("a");
        assertThrows(IllegalArgumentException.class,
                () -> new Condition("a b", Condition.Operator.EQUALS, a, null, false, "e"));
        assertThrows(IllegalArgumentException.class,
                () -> new Condition("x", Condition.Operator.EQUALS, null, null, false, "e"));
        assertThrows(IllegalArgumentException.class,
                () -> new Condition("x", Condition.Operator.MATCHES, null, null, false, "e"));
        assertThrows(IllegalArgumentException.class,
                () -> new Condition("x", Condition.Operator.EQUALS, a, null, false, " "));
        assertThrows(NullPointerException.class,
                () -> new Condition("x", null, a, null, false, "e"));
        Condition built = new Condition("x", Condition.Operator.MATCHES, null, Pattern.compile("a+"), false, "yes");
        assertTrue(built.test(x("aaa")));
        assertEquals(op("MATCHES", "a+"), built);
    }

    @Test
    void parsedProblemsAreImmutable() {
        Condition.Parsed parsed = Condition.parse(json("{}"));
        assertThrows(UnsupportedOperationException.class, () -> parsed.problems().add("more"));
    }
}
