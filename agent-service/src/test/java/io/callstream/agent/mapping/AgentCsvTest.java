package io.callstream.agent.mapping;

import io.callstream.agent.service.AgentProfile;
import io.callstream.servicekit.problem.ProblemException;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading and writing agents as CSV, without Quarkus. */
class AgentCsvTest {

    static List<AgentCsv.Row> read(String csv) {
        return AgentCsv.read(new StringReader(csv), 3);
    }

    @Test
    void quotedCellsHoldCommasQuotesAndLineBreaks() {
        List<AgentCsv.Row> rows = read("\uFEFFStaffNumber, name ,email,extension,role\n"
                + "S1,\"Lee, \"\"Ann\"\"\",a@example.com,1001,agent\r\n"
                + "S2,\"two\r\nlines\",b@example.com,1002,qa");
        assertEquals(2, rows.size());
        assertEquals("Lee, \"Ann\"", rows.get(0).profile().name());
        assertEquals("two\r\nlines", rows.get(1).profile().name());
        assertEquals("rows[3].", rows.get(1).prefix(), "rows are numbered as a spreadsheet shows them");
        assertNull(rows.get(0).profile().nickname(), "an absent optional column is null");
        assertEquals(List.of(), rows.get(0).profile().skills());
    }

    @Test
    void emptyLinesAreSkippedButCounted() {
        List<AgentCsv.Row> rows = read("staffNumber,name,email,extension,role\n\nS1,n,a@example.com,1001,agent\n\n");
        assertEquals(1, rows.size());
        assertEquals("row 3", rows.get(0).label());
    }

    @Test
    void skillsAreGroupColonPriorityWithTheDefaultWhenAbsent() {
        List<AgentCsv.Row> rows = read("staffNumber,name,email,extension,role,skills\n"
                + "S1,n,a@example.com,1001,agent,pre-sales:1; renewals ;support:\n"
                + "S2,n,b@example.com,1002,agent,pre-sales:first\n");
        assertEquals(List.of(new AgentProfile.Skill("pre-sales", 1), new AgentProfile.Skill("renewals", null),
                new AgentProfile.Skill("support", null)), rows.get(0).profile().skills());
        assertEquals("rows[3].skills", rows.get(1).errors().get(0).field());
    }

    @Test
    void aRowWithTheWrongNumberOfCellsIsAnErrorOfThatRow() {
        List<AgentCsv.Row> rows = read("staffNumber,name,email,extension,role\nS1,n,a@example.com,1001\n");
        assertNull(rows.get(0).profile());
        assertEquals("rows[2]", rows.get(0).errors().get(0).field());
    }

    @Test
    void brokenQuotingHeadersAndTooManyRowsRefuseTheFile() {
        ProblemException open = assertThrows(ProblemException.class,
                () -> read("staffNumber,name,email,extension,role\nS1,\"n,a@example.com,1001,agent\n"));
        assertEquals("rows[2]", open.errors().get(0).field());
        ProblemException after = assertThrows(ProblemException.class,
                () -> read("staffNumber,name,email,extension,role\nS1,\"n\"x,a@example.com,1001,agent\n"));
        assertEquals(400, after.status());
        ProblemException header = assertThrows(ProblemException.class, () -> read("staffNumber,name,name,email,extension,role\n"));
        assertTrue(header.getMessage().contains("appears twice"), header.getMessage());
        ProblemException tooMany = assertThrows(ProblemException.class, () -> read("staffNumber,name,email,extension,role\n"
                + "1,n,a@x.io,1001,agent\n2,n,a@x.io,1001,agent\n3,n,a@x.io,1001,agent\n4,n,a@x.io,1001,agent\n"));
        assertEquals(413, tooMany.status());
        assertEquals(3, read("staffNumber,name,email,extension,role\n"
                + "1,n,a@x.io,1001,agent\n2,n,a@x.io,1001,agent\n3,n,a@x.io,1001,agent\n").size(), "the limit itself is fine");
    }

    @Test
    void cellsThatLookLikeFormulasAreNeutralisedAndQuoted() {
        assertEquals("\"'=cmd|' /C calc'!A0\"", AgentCsv.cell("=cmd|' /C calc'!A0"));
        assertEquals("\"'+4930123\"", AgentCsv.cell("+4930123"));
        assertEquals("\"'-1\"", AgentCsv.cell("-1"));
        assertEquals("\"'@SUM(A1)\"", AgentCsv.cell("@SUM(A1)"));
        assertEquals("\"'\t=1\"", AgentCsv.cell("\t=1"));
        assertEquals("\"'\r=1\"", AgentCsv.cell("\r=1"));
        assertEquals("\"a,b\"", AgentCsv.cell("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", AgentCsv.cell("say \"hi\""));
        assertEquals("a=b", AgentCsv.cell("a=b"));
        assertEquals("", AgentCsv.cell(null));
        // and an import takes the apostrophe off again, but only before such a character
        assertEquals("=cmd", AgentCsv.unneutralised("'=cmd"));
        assertEquals("+4930123", AgentCsv.unneutralised("'+4930123"));
        assertEquals("'quoted'", AgentCsv.unneutralised("'quoted'"));
    }
}
