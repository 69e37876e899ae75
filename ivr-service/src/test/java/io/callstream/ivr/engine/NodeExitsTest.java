package io.callstream.ivr.engine;

import io.callstream.contracts.EventCatalog;
import io.callstream.contracts.Json;
import io.callstream.contracts.Topics;
import io.callstream.contracts.call.AnswerCall;
import io.callstream.contracts.call.BridgeEnded;
import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.CallTransferred;
import io.callstream.contracts.call.CollectDigits;
import io.callstream.contracts.call.DialExternal;
import io.callstream.contracts.call.DialFailed;
import io.callstream.contracts.call.DialFailureReason;
import io.callstream.contracts.call.DigitsCollected;
import io.callstream.contracts.call.DigitsCompletion;
import io.callstream.contracts.call.HangUp;
import io.callstream.contracts.call.HangupParty;
import io.callstream.contracts.call.PlayPrompt;
import io.callstream.contracts.call.StartHold;
import io.callstream.contracts.call.StopHold;
import io.callstream.contracts.call.TransferExtension;
import io.callstream.contracts.call.TransferKind;
import io.callstream.contracts.cloudevents.CloudEventsKafka;
import io.callstream.contracts.ivr.IvrInputCollected;
import io.callstream.contracts.ivr.IvrNodeEntered;
import io.callstream.contracts.ivr.IvrSessionEnded;
import io.callstream.contracts.ivr.IvrSessionStarted;
import io.callstream.contracts.ivr.IvrVariableSet;
import io.callstream.contracts.ivr.SessionOutcome;
import io.callstream.contracts.ivr.TransferRequested;
import io.callstream.contracts.routing.QueueExitReason;
import io.callstream.contracts.routing.QueueExited;
import io.callstream.testkit.KafkaEvents;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Every exit of the nodes the other engine tests leave out, taken by the engine end to end: flows made
 * over REST, calls placed and answered by {@link FakeSwitch} over real Kafka, sessions in real PostgreSQL.
 * Each call's commands are read (and answered) one by one in order, then checked as a whole — nothing
 * more was sent — and so is its ordered trail of IVR events.
 */
@QuarkusTest
class NodeExitsTest {
    private static final String EVERY_DAY = "[\"MON\", \"TUE\", \"WED\", \"THU\", \"FRI\", \"SAT\", \"SUN\"]";
    private final FakeSwitch sw = new FakeSwitch();
    private final KafkaEvents kafka = KafkaEvents.shared();

    @Inject
    EntityManager em;

    // ------------------------------------------------------------------ 1. service hours

    static final String HOURS_FLOW = """
            {"name": "NAME", "kind": "INBOUND", "nodes": [
              {"id": "start", "type": "start", "exits": {"next": "hours"}},
              {"id": "hours", "type": "serviceHours", "label": "Open?", "settings": HOURS,
               "exits": {"inHours": "open", "outOfHours": "closed"}},
              {"id": "open", "type": "play", "settings": {"prompt": {"text": "We are open."}}, "exits": {"next": "bye"}},
              {"id": "closed", "type": "play", "settings": {"prompt": {"text": "We are closed."}}, "exits": {"next": "bye"}},
              {"id": "bye", "type": "end"}
            ]}""";

    @Test
    void serviceHoursTakesInHoursWhenOpenAndOutOfHoursOnAHoliday() {
        // open around the clock every day: "now" is certainly in hours
        String open = "{\"timeZone\": \"Asia/Shanghai\", \"weekdays\": " + EVERY_DAY
                + ", \"ranges\": [{\"from\": \"00:00\", \"to\": \"24:00\"}]}";
        hoursCall(open, "We are open.", "open");

        // the same hours, but yesterday, today and tomorrow (in the node's zone) are holidays: certainly
        // closed, even if the date turns between this line and the engine's step
        ZoneId zone = ZoneId.of("Pacific/Kiritimati");
        LocalDate today = LocalDate.now(zone);
        String dates = "[\"" + today.minusDays(1) + "\", \"" + today + "\", \"" + today.plusDays(1) + "\"]";
        String holiday = "{\"timeZone\": \"Pacific/Kiritimati\", \"weekdays\": " + EVERY_DAY
                + ", \"ranges\": [{\"from\": \"00:00\", \"to\": \"24:00\"}], \"holidays\": " + dates + "}";
        hoursCall(holiday, "We are closed.", "closed");

        // the only working weekday is none of those three days, yet they are special working days: open
        DayOfWeek other = today.plusDays(3).getDayOfWeek();
        String special = "{\"timeZone\": \"Pacific/Kiritimati\", \"weekdays\": [\"" + other.name().substring(0, 3)
                + "\"], \"specialWorkdays\": " + dates + "}";
        hoursCall(special, "We are open.", "open");
    }

    private void hoursCall(String hours, String expectedPrompt, String expectedNode) {
        String callId = sw.call("13900000101", FakeSwitch.publishAndBind(HOURS_FLOW.replace("HOURS", hours)));
        sw.answer(callId);
        PlayPrompt prompt = sw.next(callId, PlayPrompt.class);
        assertEquals(expectedPrompt, prompt.prompt().text(), "hours " + hours);
        sw.played(callId, prompt);
        sw.next(callId, HangUp.class); // an End without a goodbye hangs up at once
        IvrSessionEnded ended = endCall(callId);
        assertEquals(SessionOutcome.COMPLETED, ended.outcome());
        assertCommands(callId, AnswerCall.class, PlayPrompt.class, HangUp.class);
        assertEquals(List.of("started", "node start", "node hours", "node " + expectedNode, "node bye",
                "ended COMPLETED at bye"), ivrTrail(callId));
    }

    // ------------------------------------------------------------------ 2. transfer extension

    static final String EXTENSION_FLOW = """
            {"name": "NAME", "kind": "INBOUND", "nodes": [
              {"id": "start", "type": "start", "exits": {"next": "ext"}},
              {"id": "ext", "type": "transferExtension", "label": "Extension",
               "settings": {"prompt": {"text": "Extension, please."}, "timeoutPrompt": {"text": "Nothing heard."},
                            "errorPrompt": {"text": "No such extension."}, "extensionLength": 3,
                            "ringTimeoutSeconds": 25, "timeoutSeconds": 7, "maxErrors": 2},
               "exits": {"failed": "sorry", "afterCall": "thanks"}},
              {"id": "sorry", "type": "play", "settings": {"prompt": {"text": "Could not connect you."}}, "exits": {"next": "bye"}},
              {"id": "thanks", "type": "play", "settings": {"prompt": {"text": "Thanks for calling."}}, "exits": {"next": "bye"}},
              {"id": "bye", "type": "end", "settings": {"prompt": {"text": "Goodbye."}}}
            ]}""";

    @Test
    void transferExtensionDialsTheKeyedExtensionRetriesWrongLengthsAndTakesFailedAndAfterCall() {
        String number = FakeSwitch.publishAndBind(EXTENSION_FLOW);

        // a wrong length, the error prompt, then a good extension; its bridge ends → afterCall
        String callId = sw.call("13900000201", number);
        sw.answer(callId);
        CollectDigits ask = sw.next(callId, CollectDigits.class);
        assertEquals("Extension, please.", ask.prompt().text());
        assertEquals(3, ask.maxDigits());
        assertEquals(Integer.valueOf(3), ask.fixedLength(), "an extension is extensionLength keys");
        assertNull(ask.terminator());
        assertEquals(7, ask.timeoutSeconds());
        sw.send(new DigitsCollected(callId, ask.commandId(), "12", DigitsCompletion.TIMEOUT));
        PlayPrompt error = sw.next(callId, PlayPrompt.class);
        assertEquals("No such extension.", error.prompt().text());
        sw.played(callId, error);
        CollectDigits again = sw.next(callId, CollectDigits.class);
        assertEquals("Extension, please.", again.prompt().text());
        sw.send(new DigitsCollected(callId, again.commandId(), "204", DigitsCompletion.LENGTH_REACHED));
        TransferExtension transfer = sw.next(callId, TransferExtension.class);
        assertEquals("204", transfer.extension());
        assertEquals(25, transfer.ringTimeoutSeconds());
        // the extension answers (does not move the flow), talks, hangs up: the caller is back in the flow
        sw.send(new CallTransferred(callId, transfer.commandId(), TransferKind.EXTENSION, "204"));
        sw.send(new BridgeEnded(callId, transfer.commandId(), null, "204", HangupParty.CALLEE, 42_000));
        PlayPrompt thanks = sw.next(callId, PlayPrompt.class);
        assertEquals("Thanks for calling.", thanks.prompt().text());
        sw.played(callId, thanks);
        goodbyeThenHangUp(callId);
        assertEquals(SessionOutcome.COMPLETED, endCall(callId).outcome());
        assertCommands(callId, AnswerCall.class, CollectDigits.class, PlayPrompt.class, CollectDigits.class,
                TransferExtension.class, PlayPrompt.class, PlayPrompt.class, HangUp.class);
        assertEquals(List.of("started", "node start", "node ext", "input ext 12 INVALID", "input ext 204 OK",
                "node thanks", "node bye", "ended COMPLETED at bye"), ivrTrail(callId));

        // the extension does not answer → failed
        String failing = sw.call("13900000202", number);
        sw.answer(failing);
        CollectDigits ask2 = sw.next(failing, CollectDigits.class);
        sw.send(new DigitsCollected(failing, ask2.commandId(), "305", DigitsCompletion.LENGTH_REACHED));
        TransferExtension transfer2 = sw.next(failing, TransferExtension.class);
        assertEquals("305", transfer2.extension());
        sw.send(new DialFailed(failing, transfer2.commandId(), null, "305", DialFailureReason.NO_ANSWER));
        PlayPrompt sorry = sw.next(failing, PlayPrompt.class);
        assertEquals("Could not connect you.", sorry.prompt().text());
        sw.played(failing, sorry);
        goodbyeThenHangUp(failing);
        assertEquals(SessionOutcome.COMPLETED, endCall(failing).outcome());
        assertCommands(failing, AnswerCall.class, CollectDigits.class, TransferExtension.class, PlayPrompt.class,
                PlayPrompt.class, HangUp.class);
        assertEquals(List.of("started", "node start", "node ext", "input ext 305 OK", "node sorry", "node bye",
                "ended COMPLETED at bye"), ivrTrail(failing));

        // no input (timeout prompt), then a wrong length at maxErrors 2: the error prompt, then failed
        String wrong = sw.call("13900000203", number);
        sw.answer(wrong);
        CollectDigits ask3 = sw.next(wrong, CollectDigits.class);
        sw.send(new DigitsCollected(wrong, ask3.commandId(), "", DigitsCompletion.TIMEOUT));
        PlayPrompt nothing = sw.next(wrong, PlayPrompt.class);
        assertEquals("Nothing heard.", nothing.prompt().text());
        sw.played(wrong, nothing);
        CollectDigits ask4 = sw.next(wrong, CollectDigits.class);
        sw.send(new DigitsCollected(wrong, ask4.commandId(), "9", DigitsCompletion.TIMEOUT));
        PlayPrompt last = sw.next(wrong, PlayPrompt.class);
        assertEquals("No such extension.", last.prompt().text());
        sw.played(wrong, last);
        PlayPrompt sorry3 = sw.next(wrong, PlayPrompt.class);
        assertEquals("Could not connect you.", sorry3.prompt().text());
        sw.played(wrong, sorry3);
        goodbyeThenHangUp(wrong);
        assertEquals(SessionOutcome.COMPLETED, endCall(wrong).outcome());
        assertCommands(wrong, AnswerCall.class, CollectDigits.class, PlayPrompt.class, CollectDigits.class,
                PlayPrompt.class, PlayPrompt.class, PlayPrompt.class, HangUp.class);
        assertEquals(List.of("started", "node start", "node ext", "input ext - NO_INPUT", "input ext 9 MAX_ERRORS",
                "node sorry", "node bye", "ended COMPLETED at bye"), ivrTrail(wrong));
    }

    @Test
    void transferExtensionWithoutAfterCallHangsUpWhenTheBridgeEnds() {
        String flow = EXTENSION_FLOW.replace(", \"afterCall\": \"thanks\"", "")
                .replace("{\"id\": \"thanks\", \"type\": \"play\", \"settings\": {\"prompt\": {\"text\": \"Thanks for calling.\"}}, \"exits\": {\"next\": \"bye\"}},", "");
        String callId = sw.call("13900000204", FakeSwitch.publishAndBind(flow));
        sw.answer(callId);
        CollectDigits ask = sw.next(callId, CollectDigits.class);
        sw.send(new DigitsCollected(callId, ask.commandId(), "777", DigitsCompletion.LENGTH_REACHED));
        TransferExtension transfer = sw.next(callId, TransferExtension.class);
        assertEquals("777", transfer.extension());
        sw.send(new CallTransferred(callId, transfer.commandId(), TransferKind.EXTENSION, "777"));
        sw.send(new BridgeEnded(callId, transfer.commandId(), null, "777", HangupParty.CALLEE, 5_000));
        HangUp hangUp = sw.next(callId, HangUp.class);
        assertNull(hangUp.cause());
        IvrSessionEnded ended = endCall(callId);
        assertEquals(SessionOutcome.COMPLETED, ended.outcome(), "the flow ended the call");
        assertEquals("ext", ended.lastNodeId());
        assertCommands(callId, AnswerCall.class, CollectDigits.class, TransferExtension.class, HangUp.class);
        assertEquals(List.of("started", "node start", "node ext", "input ext 777 OK", "ended COMPLETED at ext"),
                ivrTrail(callId));
    }

    // ------------------------------------------------------------------ 3. transfer external

    static final String EXTERNAL_FLOW = """
            {"name": "NAME", "kind": "INBOUND", "nodes": [
              {"id": "start", "type": "start", "exits": {"next": "duty"}},
              {"id": "duty", "type": "transferExternal", "label": "Duty phone",
               "settings": {"holdPrompt": {"text": "Connecting you now."}, "callerNumber": "4001",
                            "number": "13800000000", "ringTimeoutSeconds": 40},
               "exits": {"failed": "sorry", "afterCall": "after"}},
              {"id": "sorry", "type": "play", "settings": {"prompt": {"text": "The duty phone is busy."}}, "exits": {"next": "bye"}},
              {"id": "after", "type": "play", "settings": {"prompt": {"text": "Your call has ended."}}, "exits": {"next": "bye"}},
              {"id": "bye", "type": "end"}
            ]}""";

    @Test
    void transferExternalTakesFailedOnADialFailureAndAfterCallWhenTheBridgeEnds() {
        String number = FakeSwitch.publishAndBind(EXTERNAL_FLOW);

        String callId = sw.call("13900000301", number);
        sw.answer(callId);
        DialExternal dial = holdPromptThenDial(callId);
        sw.send(new CallTransferred(callId, dial.commandId(), TransferKind.EXTERNAL, "13800000000"));
        sw.send(new BridgeEnded(callId, dial.commandId(), null, "13800000000", HangupParty.CALLEE, 90_000));
        PlayPrompt after = sw.next(callId, PlayPrompt.class);
        assertEquals("Your call has ended.", after.prompt().text());
        sw.played(callId, after);
        sw.next(callId, HangUp.class);
        assertEquals(SessionOutcome.COMPLETED, endCall(callId).outcome());
        assertCommands(callId, AnswerCall.class, PlayPrompt.class, DialExternal.class, PlayPrompt.class, HangUp.class);
        assertEquals(List.of("started", "node start", "node duty", "node after", "node bye", "ended COMPLETED at bye"),
                ivrTrail(callId));

        String busy = sw.call("13900000302", number);
        sw.answer(busy);
        DialExternal dial2 = holdPromptThenDial(busy);
        sw.send(new DialFailed(busy, dial2.commandId(), null, "13800000000", DialFailureReason.BUSY));
        PlayPrompt sorry = sw.next(busy, PlayPrompt.class);
        assertEquals("The duty phone is busy.", sorry.prompt().text());
        sw.played(busy, sorry);
        sw.next(busy, HangUp.class);
        assertEquals(SessionOutcome.COMPLETED, endCall(busy).outcome());
        assertCommands(busy, AnswerCall.class, PlayPrompt.class, DialExternal.class, PlayPrompt.class, HangUp.class);
        assertEquals(List.of("started", "node start", "node duty", "node sorry", "node bye", "ended COMPLETED at bye"),
                ivrTrail(busy));
    }

    @Test
    void transferExternalWithoutAfterCallHangsUpWhenTheBridgeEnds() {
        String flow = EXTERNAL_FLOW.replace(", \"afterCall\": \"after\"", "")
                .replace("{\"id\": \"after\", \"type\": \"play\", \"settings\": {\"prompt\": {\"text\": \"Your call has ended.\"}}, \"exits\": {\"next\": \"bye\"}},", "");
        String callId = sw.call("13900000303", FakeSwitch.publishAndBind(flow));
        sw.answer(callId);
        DialExternal dial = holdPromptThenDial(callId);
        sw.send(new CallTransferred(callId, dial.commandId(), TransferKind.EXTERNAL, "13800000000"));
        sw.send(new BridgeEnded(callId, dial.commandId(), null, "13800000000", HangupParty.CALLEE, 1_000));
        sw.next(callId, HangUp.class);
        IvrSessionEnded ended = endCall(callId);
        assertEquals(SessionOutcome.COMPLETED, ended.outcome());
        assertEquals("duty", ended.lastNodeId());
        assertCommands(callId, AnswerCall.class, PlayPrompt.class, DialExternal.class, HangUp.class);
    }

    private DialExternal holdPromptThenDial(String callId) {
        PlayPrompt hold = sw.next(callId, PlayPrompt.class);
        assertEquals("Connecting you now.", hold.prompt().text(), "the hold prompt plays before the dial");
        sw.played(callId, hold);
        DialExternal dial = sw.next(callId, DialExternal.class);
        assertEquals("13800000000", dial.number());
        assertEquals("4001", dial.callerId());
        assertEquals(40, dial.ringTimeoutSeconds());
        return dial;
    }

    // ------------------------------------------------------------------ 4. transfer to agent

    static final String AGENT_FLOW = """
            {"name": "NAME", "kind": "INBOUND", "nodes": [
              {"id": "start", "type": "start", "exits": {"next": "agents"}},
              {"id": "agents", "type": "transferToAgent", "label": "Support",
               "settings": {"skillGroup": "support", "maxQueueLength": 1, "holdMusic": "jazz"},
               "exits": {"queueTimeout": "late", "queueFull": "full", "noAgent": "late"}},
              {"id": "full", "type": "play", "settings": {"prompt": {"text": "The queue is full."}}, "exits": {"next": "bye"}},
              {"id": "late", "type": "play", "settings": {"prompt": {"text": "Nobody is free."}}, "exits": {"next": "bye"}},
              {"id": "bye", "type": "end"}
            ]}""";

    @Test
    void aFullQueueStopsTheMusicFirstThenTakesQueueFull() {
        String callId = sw.call("13900000401", FakeSwitch.publishAndBind(AGENT_FLOW));
        sw.answer(callId);
        assertEquals("jazz", sw.next(callId, StartHold.class).musicClass());
        TransferRequested request = sw.awaitIvr(callId, TransferRequested.class);
        assertEquals("support", request.skillGroup());
        assertEquals(Integer.valueOf(1), request.maxQueueLength());
        sw.send(new QueueExited(callId, "support", QueueExitReason.QUEUE_FULL, 0));
        sw.next(callId, StopHold.class); // the music stops before the next node speaks
        PlayPrompt full = sw.next(callId, PlayPrompt.class);
        assertEquals("The queue is full.", full.prompt().text());
        sw.played(callId, full);
        sw.next(callId, HangUp.class);
        assertEquals(SessionOutcome.COMPLETED, endCall(callId).outcome());
        assertCommands(callId, AnswerCall.class, StartHold.class, StopHold.class, PlayPrompt.class, HangUp.class);
        assertEquals(List.of("started", "node start", "node agents", "transfer support", "node full", "node bye",
                "ended COMPLETED at bye"), ivrTrail(callId));
    }

    @Test
    void anAbandonedQueueExitDoesNotMoveTheFlow() {
        String callId = sw.call("13900000402", FakeSwitch.publishAndBind(AGENT_FLOW));
        sw.answer(callId);
        sw.next(callId, StartHold.class);
        sw.awaitIvr(callId, TransferRequested.class);
        String abandoned = sw.send(new QueueExited(callId, "support", QueueExitReason.ABANDONED, 12_000));
        await().atMost(Duration.ofSeconds(30)).until(() -> processed(abandoned));
        // committed with the event's processing: nothing more for the call (no StopHold, no next node)
        assertEquals(List.of(type(AnswerCall.class), type(StartHold.class)),
                outbox(callId, Topics.CALL_COMMANDS), "the engine's commands for the call, in its outbox");
        assertEquals(List.of(type(IvrSessionStarted.class), type(IvrNodeEntered.class), type(IvrNodeEntered.class),
                type(TransferRequested.class)), outbox(callId, Topics.IVR_EVENTS));
        // routing's answers arriving after the caller left do not move the session either
        String late = sw.send(new io.callstream.contracts.routing.CallConnected(callId, "support", "agent-9", 13_000));
        await().atMost(Duration.ofSeconds(30)).until(() -> processed(late));
        assertEquals(List.of(type(AnswerCall.class), type(StartHold.class)), outbox(callId, Topics.CALL_COMMANDS),
                "nothing for a connection reported after the caller left");
        assertEquals(List.of(type(IvrSessionStarted.class), type(IvrNodeEntered.class), type(IvrNodeEntered.class),
                type(TransferRequested.class)), outbox(callId, Topics.IVR_EVENTS), "no agent recorded for the session");

        sw.send(new CallEnded(callId, 16, "Normal Clearing", HangupParty.CALLER));
        IvrSessionEnded ended = sw.awaitIvr(callId, IvrSessionEnded.class);
        assertEquals(SessionOutcome.CALLER_HUNG_UP, ended.outcome());
        assertEquals("agents", ended.lastNodeId());
        assertCommands(callId, AnswerCall.class, StartHold.class);
        assertEquals(List.of("started", "node start", "node agents", "transfer support", "ended CALLER_HUNG_UP at agents"),
                ivrTrail(callId));
    }

    // ------------------------------------------------------------------ 5. key menu at max errors

    static final String MENU_FLOW = """
            {"name": "NAME", "kind": "INBOUND", "nodes": [
              {"id": "start", "type": "start", "exits": {"next": "menu"}},
              {"id": "menu", "type": "keyMenu", "label": "Menu",
               "settings": {"prompt": {"text": "Press 1 for sales."}, "timeoutPrompt": {"text": "Please press a key."},
                            "errorPrompt": {"text": "Not an option."}, "maxErrors": 3, "variable": "choice"ON_MAX},
               "exits": {"1": "sales"FAILED}},
              {"id": "sales", "type": "play", "settings": {"prompt": {"text": "Sales."}}, "exits": {"next": "bye"}},
              FALLBACK
              {"id": "bye", "type": "end"}
            ]}""";

    @Test
    void aKeyMenuSetToExitTakesFailedAtMaxErrors() {
        String flow = MENU_FLOW.replace("ON_MAX", ", \"onMaxErrors\": \"exit\"").replace("FAILED", ", \"failed\": \"fallback\"")
                .replace("FALLBACK", "{\"id\": \"fallback\", \"type\": \"play\", \"settings\": {\"prompt\": {\"text\": \"Let us try something else.\"}}, \"exits\": {\"next\": \"bye\"}},");
        String callId = sw.call("13900000501", FakeSwitch.publishAndBind(flow));
        sw.answer(callId);
        CollectDigits menu = sw.next(callId, CollectDigits.class);
        assertEquals(1, menu.maxDigits());
        assertEquals(Integer.valueOf(1), menu.fixedLength());
        sw.send(new DigitsCollected(callId, menu.commandId(), "", DigitsCompletion.TIMEOUT));
        PlayPrompt timeout = sw.next(callId, PlayPrompt.class);
        assertEquals("Please press a key.", timeout.prompt().text());
        sw.played(callId, timeout);
        CollectDigits second = sw.next(callId, CollectDigits.class);
        sw.send(new DigitsCollected(callId, second.commandId(), "5", DigitsCompletion.LENGTH_REACHED));
        PlayPrompt error = sw.next(callId, PlayPrompt.class);
        assertEquals("Not an option.", error.prompt().text());
        sw.played(callId, error);
        CollectDigits third = sw.next(callId, CollectDigits.class);
        sw.send(new DigitsCollected(callId, third.commandId(), "8", DigitsCompletion.LENGTH_REACHED));
        PlayPrompt fallback = sw.next(callId, PlayPrompt.class);
        assertEquals("Let us try something else.", fallback.prompt().text(), "max errors → the failed exit");
        sw.played(callId, fallback);
        sw.next(callId, HangUp.class);
        IvrSessionEnded ended = endCall(callId);
        assertEquals(SessionOutcome.COMPLETED, ended.outcome());
        assertNull(ended.variables().get("choice"), "no key was chosen");
        assertCommands(callId, AnswerCall.class, CollectDigits.class, PlayPrompt.class, CollectDigits.class,
                PlayPrompt.class, CollectDigits.class, PlayPrompt.class, HangUp.class);
        assertEquals(List.of("started", "node start", "node menu", "input menu - NO_INPUT", "input menu 5 INVALID",
                "input menu 8 MAX_ERRORS", "node fallback", "node bye", "ended COMPLETED at bye"), ivrTrail(callId));
    }

    @Test
    void aKeyMenuHangsUpAtMaxErrorsByDefaultAndWhenSetToHangup() {
        for (String onMax : List.of("", ", \"onMaxErrors\": \"hangup\"")) {
            String flow = MENU_FLOW.replace("ON_MAX", onMax).replace("FAILED", "").replace("FALLBACK", "")
                    .replace("\"maxErrors\": 3", "\"maxErrors\": 2");
            String callId = sw.call("13900000502", FakeSwitch.publishAndBind(flow));
            sw.answer(callId);
            CollectDigits menu = sw.next(callId, CollectDigits.class);
            sw.send(new DigitsCollected(callId, menu.commandId(), "5", DigitsCompletion.LENGTH_REACHED));
            PlayPrompt error = sw.next(callId, PlayPrompt.class);
            assertEquals("Not an option.", error.prompt().text());
            sw.played(callId, error);
            CollectDigits second = sw.next(callId, CollectDigits.class);
            sw.send(new DigitsCollected(callId, second.commandId(), "7", DigitsCompletion.LENGTH_REACHED));
            sw.next(callId, HangUp.class);
            IvrSessionEnded ended = endCall(callId);
            assertEquals("menu", ended.lastNodeId());
            assertCommands(callId, AnswerCall.class, CollectDigits.class, PlayPrompt.class, CollectDigits.class,
                    HangUp.class);
            assertEquals(List.of("started", "node start", "node menu", "input menu 5 INVALID", "input menu 7 MAX_ERRORS",
                    "ended COMPLETED at menu"), ivrTrail(callId), "onMaxErrors '" + onMax + "'");
        }
    }

    // ------------------------------------------------------------------ 6. collect digits, fixed length

    static final String PIN_FLOW = """
            {"name": "NAME", "kind": "INBOUND", "nodes": [
              {"id": "start", "type": "start", "exits": {"next": "pin"}},
              {"id": "pin", "type": "collectDigits", "label": "PIN",
               "settings": {"prompt": {"text": "Your four-digit PIN."}, "failurePrompt": {"text": "A PIN has four digits."},
                            "fixedLength": 4, "maxErrors": 2, "timeoutSeconds": 9, "variable": "pin"},
               "exits": {"ok": "accepted", "failed": "nopin"}},
              {"id": "accepted", "type": "play", "settings": {"prompt": {"text": "PIN ${pin} accepted."}}, "exits": {"next": "bye"}},
              {"id": "nopin", "type": "play", "settings": {"prompt": {"text": "No PIN, no service."}}, "exits": {"next": "bye"}},
              {"id": "bye", "type": "end"}
            ]}""";

    @Test
    void aFixedLengthInputCompletesWithoutTerminatorAndAWrongLengthIsAnError() {
        String number = FakeSwitch.publishAndBind(PIN_FLOW);

        String callId = sw.call("13900000601", number);
        sw.answer(callId);
        CollectDigits pin = sw.next(callId, CollectDigits.class);
        assertEquals("Your four-digit PIN.", pin.prompt().text());
        assertEquals(4, pin.maxDigits());
        assertEquals(Integer.valueOf(4), pin.fixedLength());
        assertNull(pin.terminator(), "a fixed-length input has no terminator");
        assertEquals(9, pin.timeoutSeconds());
        sw.send(new DigitsCollected(callId, pin.commandId(), "12", DigitsCompletion.TIMEOUT));
        PlayPrompt wrong = sw.next(callId, PlayPrompt.class);
        assertEquals("A PIN has four digits.", wrong.prompt().text());
        sw.played(callId, wrong);
        CollectDigits again = sw.next(callId, CollectDigits.class);
        sw.send(new DigitsCollected(callId, again.commandId(), "4321", DigitsCompletion.LENGTH_REACHED));
        PlayPrompt accepted = sw.next(callId, PlayPrompt.class);
        assertEquals("PIN 4321 accepted.", accepted.prompt().text());
        sw.played(callId, accepted);
        sw.next(callId, HangUp.class);
        IvrSessionEnded ended = endCall(callId);
        assertEquals("4321", ended.variables().get("pin"));
        assertCommands(callId, AnswerCall.class, CollectDigits.class, PlayPrompt.class, CollectDigits.class,
                PlayPrompt.class, HangUp.class);
        assertEquals(List.of("started", "node start", "node pin", "input pin 12 INVALID", "input pin 4321 OK",
                "set pin=4321", "node accepted", "node bye", "ended COMPLETED at bye"), ivrTrail(callId));

        // two wrong lengths at maxErrors 2: the failure prompt, then the failed exit
        String failing = sw.call("13900000602", number);
        sw.answer(failing);
        CollectDigits first = sw.next(failing, CollectDigits.class);
        sw.send(new DigitsCollected(failing, first.commandId(), "12", DigitsCompletion.TIMEOUT));
        sw.played(failing, sw.next(failing, PlayPrompt.class));
        CollectDigits second = sw.next(failing, CollectDigits.class);
        sw.send(new DigitsCollected(failing, second.commandId(), "123", DigitsCompletion.TIMEOUT));
        PlayPrompt failure = sw.next(failing, PlayPrompt.class);
        assertEquals("A PIN has four digits.", failure.prompt().text());
        sw.played(failing, failure);
        PlayPrompt nopin = sw.next(failing, PlayPrompt.class);
        assertEquals("No PIN, no service.", nopin.prompt().text());
        sw.played(failing, nopin);
        sw.next(failing, HangUp.class);
        IvrSessionEnded failed = endCall(failing);
        assertNull(failed.variables().get("pin"));
        assertEquals(List.of("started", "node start", "node pin", "input pin 12 INVALID", "input pin 123 MAX_ERRORS",
                "node nopin", "node bye", "ended COMPLETED at bye"), ivrTrail(failing));
    }

    // ------------------------------------------------------------------ 7. set variable, condition, goodbye

    static final String ROUTE_FLOW = """
            {"name": "NAME", "kind": "INBOUND", "nodes": [
              {"id": "start", "type": "start", "exits": {"next": "amount"}},
              {"id": "amount", "type": "collectDigits", "settings": {"prompt": {"text": "Amount, then hash."}, "maxDigits": 6, "variable": "amount"},
               "exits": {"ok": "tag", "failed": "bye"}},
              {"id": "tag", "type": "setVariable", "settings": {"assignments": {"label": "amt-${amount}", "source": "ivr", "n": 5}},
               "exits": {"next": "route"}},
              {"id": "route", "type": "condition", "label": "Route",
               "settings": {"conditions": [
                 {"variable": "amount", "operator": "GREATER_OR_EQUAL", "value": "1000", "exit": "big"},
                 {"variable": "amount", "operator": "GREATER_THAN", "value": "100", "exit": "medium"},
                 {"variable": "label", "operator": "ENDS_WITH", "value": "-7", "exit": "lucky"}]},
               "exits": {"big": "bigP", "medium": "mediumP", "lucky": "luckyP", "default": "smallP"}},
              {"id": "bigP", "type": "play", "settings": {"prompt": {"text": "Big ${amount}."}}, "exits": {"next": "bye"}},
              {"id": "mediumP", "type": "play", "settings": {"prompt": {"text": "Medium ${amount}."}}, "exits": {"next": "bye"}},
              {"id": "luckyP", "type": "play", "settings": {"prompt": {"text": "Lucky ${amount}."}}, "exits": {"next": "bye"}},
              {"id": "smallP", "type": "play", "settings": {"prompt": {"text": "Small ${amount}."}}, "exits": {"next": "bye"}},
              {"id": "bye", "type": "end", "settings": {"prompt": {"text": "Goodbye, ${label} from ${source}."}}}
            ]}""";

    @Test
    void conditionsAreTriedInOrderOverSetVariablesElseDefaultAndTheEndSaysGoodbye() {
        String number = FakeSwitch.publishAndBind(ROUTE_FLOW);
        routeCall(number, "5000", "Big 5000.", "bigP"); // ≥ 1000 and > 100: the first condition wins
        routeCall(number, "500", "Medium 500.", "mediumP");
        routeCall(number, "7", "Lucky 7.", "luckyP");
        routeCall(number, "42", "Small 42.", "smallP");
    }

    private void routeCall(String number, String amount, String expectedPrompt, String expectedNode) {
        String callId = sw.call("13900000701", number);
        sw.answer(callId);
        CollectDigits ask = sw.next(callId, CollectDigits.class);
        sw.send(new DigitsCollected(callId, ask.commandId(), amount, DigitsCompletion.TERMINATOR));
        PlayPrompt branch = sw.next(callId, PlayPrompt.class);
        assertEquals(expectedPrompt, branch.prompt().text(), "amount " + amount);
        sw.played(callId, branch);
        PlayPrompt goodbye = sw.next(callId, PlayPrompt.class);
        assertEquals("Goodbye, amt-" + amount + " from ivr.", goodbye.prompt().text());
        sw.played(callId, goodbye);
        sw.next(callId, HangUp.class); // only after the goodbye has played
        IvrSessionEnded ended = endCall(callId);
        assertEquals(SessionOutcome.COMPLETED, ended.outcome());
        assertEquals(Map.of("amount", amount, "label", "amt-" + amount, "source", "ivr", "n", "5"), ended.variables());
        assertCommands(callId, AnswerCall.class, CollectDigits.class, PlayPrompt.class, PlayPrompt.class, HangUp.class);
        assertEquals(List.of("started", "node start", "node amount", "input amount " + amount + " OK",
                "set amount=" + amount, "node tag", "set label=amt-" + amount, "set source=ivr", "set n=5",
                "node route", "node " + expectedNode, "node bye", "ended COMPLETED at bye"), ivrTrail(callId));
    }

    // ------------------------------------------------------------------ helpers

    private void goodbyeThenHangUp(String callId) {
        PlayPrompt goodbye = sw.next(callId, PlayPrompt.class);
        assertEquals("Goodbye.", goodbye.prompt().text());
        sw.played(callId, goodbye);
        sw.next(callId, HangUp.class);
    }

    /** The gateway's CallEnded after the flow's hang-up; returns the session's end. */
    private IvrSessionEnded endCall(String callId) {
        sw.send(new CallEnded(callId, 16, "Normal Clearing", HangupParty.SYSTEM));
        return sw.awaitIvr(callId, IvrSessionEnded.class);
    }

    /** Every command the call got on Kafka, in order: exactly these (all read and answered already). */
    @SafeVarargs
    private void assertCommands(String callId, Class<? extends Record>... expected) {
        List<String> types = kafka.readToEndCached(Topics.CALL_COMMANDS).stream().filter(r -> callId.equals(r.key()))
                .map(r -> KafkaEvents.header(r, CloudEventsKafka.TYPE)).toList();
        assertEquals(Arrays.stream(expected).map(NodeExitsTest::type).toList(), types, "the commands of call " + callId);
    }

    /** The call's IVR events in order, each summed up in a few words. */
    private List<String> ivrTrail(String callId) {
        List<String> trail = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : kafka.readToEndCached(Topics.IVR_EVENTS)) {
            if (!callId.equals(r.key())) {
                continue;
            }
            String type = KafkaEvents.header(r, CloudEventsKafka.TYPE);
            if (type(IvrSessionStarted.class).equals(type)) {
                trail.add("started");
            } else if (type(IvrNodeEntered.class).equals(type)) {
                trail.add("node " + Json.read(r.value(), IvrNodeEntered.class).nodeId());
            } else if (type(IvrInputCollected.class).equals(type)) {
                IvrInputCollected i = Json.read(r.value(), IvrInputCollected.class);
                trail.add("input " + i.nodeId() + " " + (i.input() == null ? "-" : i.input()) + " " + i.outcome());
            } else if (type(IvrVariableSet.class).equals(type)) {
                IvrVariableSet v = Json.read(r.value(), IvrVariableSet.class);
                trail.add("set " + v.name() + "=" + v.value());
            } else if (type(TransferRequested.class).equals(type)) {
                trail.add("transfer " + Json.read(r.value(), TransferRequested.class).skillGroup());
            } else if (type(IvrSessionEnded.class).equals(type)) {
                IvrSessionEnded e = Json.read(r.value(), IvrSessionEnded.class);
                trail.add("ended " + e.outcome() + " at " + e.lastNodeId());
            } else {
                trail.add(type);
            }
        }
        return trail;
    }

    private static String type(Class<?> event) {
        return EventCatalog.of(event).type();
    }

    /** Whether the engine's consumer has processed the event (its processed-event row is committed). */
    private boolean processed(String eventId) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "SELECT count(*) FROM processed_event WHERE consumer = 'ivr-engine' AND event_id = ?1")
                .setParameter(1, eventId).getSingleResult()).intValue() == 1);
    }

    /** The types the engine committed to its outbox for the call on {@code topic}, in order. */
    @SuppressWarnings("unchecked")
    private List<String> outbox(String callId, String topic) {
        return QuarkusTransaction.requiringNew().call(() -> (List<String>) em.createNativeQuery(
                "SELECT type FROM outbox_message WHERE message_key = ?1 AND topic = ?2 ORDER BY seq")
                .setParameter(1, callId).setParameter(2, topic).getResultList());
    }

}
