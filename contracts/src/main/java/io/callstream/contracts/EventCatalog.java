package io.callstream.contracts;

import io.callstream.contracts.EventType.Kind;
import io.callstream.contracts.agent.AgentProfileChanged;
import io.callstream.contracts.agent.AgentStateChanged;
import io.callstream.contracts.agent.SkillGroupChanged;
import io.callstream.contracts.call.AgentConnected;
import io.callstream.contracts.call.AgentAlerted;
import io.callstream.contracts.call.AnswerCall;
import io.callstream.contracts.call.BridgeEnded;
import io.callstream.contracts.call.CallAnswered;
import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.CallStarted;
import io.callstream.contracts.call.CallTransferred;
import io.callstream.contracts.call.CollectDigits;
import io.callstream.contracts.call.CommandCompleted;
import io.callstream.contracts.call.CommandFailed;
import io.callstream.contracts.call.ConnectAgent;
import io.callstream.contracts.call.DialExternal;
import io.callstream.contracts.call.DialFailed;
import io.callstream.contracts.call.DigitsCollected;
import io.callstream.contracts.call.HangUp;
import io.callstream.contracts.call.Originate;
import io.callstream.contracts.call.OriginateFailed;
import io.callstream.contracts.call.PlayPrompt;
import io.callstream.contracts.call.PromptPlayed;
import io.callstream.contracts.call.RecognizeSpeech;
import io.callstream.contracts.call.SetVariable;
import io.callstream.contracts.call.SpeechRecognized;
import io.callstream.contracts.call.StartHold;
import io.callstream.contracts.call.StopHold;
import io.callstream.contracts.call.TransferExtension;
import io.callstream.contracts.ivr.FlowChanged;
import io.callstream.contracts.ivr.IvrInputCollected;
import io.callstream.contracts.ivr.IvrNodeEntered;
import io.callstream.contracts.ivr.IvrSessionEnded;
import io.callstream.contracts.ivr.IvrSessionStarted;
import io.callstream.contracts.ivr.IvrVariableSet;
import io.callstream.contracts.ivr.SatisfactionCollected;
import io.callstream.contracts.ivr.TransferRequested;
import io.callstream.contracts.ivr.UnboundNumberCalled;
import io.callstream.contracts.outbound.AttemptFinished;
import io.callstream.contracts.outbound.AttemptStarted;
import io.callstream.contracts.outbound.CalleeDone;
import io.callstream.contracts.outbound.TaskStateChanged;
import io.callstream.contracts.routing.AgentMissed;
import io.callstream.contracts.routing.AgentOffered;
import io.callstream.contracts.routing.AgentViewRequested;
import io.callstream.contracts.routing.CallConnected;
import io.callstream.contracts.routing.CallQueued;
import io.callstream.contracts.routing.QueueExited;
import io.callstream.contracts.routing.QueuePositionChanged;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every CloudEvents type Callstream puts on Kafka. docs/events.md lists the same set (a test checks). */
public final class EventCatalog {

    private static final List<EventType> ALL = List.of(
            event(CallStarted.TYPE, CallStarted.class),
            event(CallAnswered.TYPE, CallAnswered.class),
            event(PromptPlayed.TYPE, PromptPlayed.class),
            event(DigitsCollected.TYPE, DigitsCollected.class),
            event(SpeechRecognized.TYPE, SpeechRecognized.class),
            event(AgentAlerted.TYPE, AgentAlerted.class),
            event(AgentConnected.TYPE, AgentConnected.class),
            event(CallTransferred.TYPE, CallTransferred.class),
            event(DialFailed.TYPE, DialFailed.class),
            event(BridgeEnded.TYPE, BridgeEnded.class),
            event(CommandCompleted.TYPE, CommandCompleted.class),
            event(CommandFailed.TYPE, CommandFailed.class),
            event(CallEnded.TYPE, CallEnded.class),
            event(OriginateFailed.TYPE, OriginateFailed.class),
            command(AnswerCall.TYPE, AnswerCall.class),
            command(PlayPrompt.TYPE, PlayPrompt.class),
            command(CollectDigits.TYPE, CollectDigits.class),
            command(RecognizeSpeech.TYPE, RecognizeSpeech.class),
            command(StartHold.TYPE, StartHold.class),
            command(StopHold.TYPE, StopHold.class),
            command(ConnectAgent.TYPE, ConnectAgent.class),
            command(DialExternal.TYPE, DialExternal.class),
            command(TransferExtension.TYPE, TransferExtension.class),
            command(SetVariable.TYPE, SetVariable.class),
            command(HangUp.TYPE, HangUp.class),
            command(Originate.TYPE, Originate.class),
            ivrEvent(IvrSessionStarted.TYPE, IvrSessionStarted.class),
            ivrEvent(IvrNodeEntered.TYPE, IvrNodeEntered.class),
            ivrEvent(IvrInputCollected.TYPE, IvrInputCollected.class),
            ivrEvent(IvrVariableSet.TYPE, IvrVariableSet.class),
            ivrEvent(TransferRequested.TYPE, TransferRequested.class),
            ivrEvent(SatisfactionCollected.TYPE, SatisfactionCollected.class),
            ivrEvent(IvrSessionEnded.TYPE, IvrSessionEnded.class),
            ivrEvent(UnboundNumberCalled.TYPE, UnboundNumberCalled.class),
            ivrEvent(FlowChanged.TYPE, FlowChanged.class),
            routingEvent(CallQueued.TYPE, CallQueued.class),
            routingEvent(QueuePositionChanged.TYPE, QueuePositionChanged.class),
            routingEvent(AgentOffered.TYPE, AgentOffered.class),
            routingEvent(AgentMissed.TYPE, AgentMissed.class),
            routingEvent(CallConnected.TYPE, CallConnected.class),
            routingEvent(QueueExited.TYPE, QueueExited.class),
            routingEvent(AgentViewRequested.TYPE, AgentViewRequested.class),
            agentEvent(AgentStateChanged.TYPE, AgentStateChanged.class),
            agentEvent(AgentProfileChanged.TYPE, AgentProfileChanged.class),
            agentEvent(SkillGroupChanged.TYPE, SkillGroupChanged.class),
            outboundEvent(TaskStateChanged.TYPE, TaskStateChanged.class),
            outboundEvent(AttemptStarted.TYPE, AttemptStarted.class),
            outboundEvent(AttemptFinished.TYPE, AttemptFinished.class),
            outboundEvent(CalleeDone.TYPE, CalleeDone.class));

    private static final Map<String, EventType> BY_TYPE = new LinkedHashMap<>();
    private static final Map<Class<?>, EventType> BY_CLASS = new LinkedHashMap<>();

    static {
        for (EventType t : ALL) {
            if (BY_TYPE.put(t.type(), t) != null || BY_CLASS.put(t.dataClass(), t) != null) {
                throw new IllegalStateException("registered twice: " + t);
            }
        }
    }

    public static List<EventType> all() {
        return ALL;
    }

    public static Optional<EventType> byType(String type) {
        return Optional.ofNullable(BY_TYPE.get(type));
    }

    public static EventType of(Class<?> dataClass) {
        EventType t = BY_CLASS.get(dataClass);
        if (t == null) {
            throw new IllegalArgumentException(dataClass.getName() + " is not a registered event type");
        }
        return t;
    }

    private static EventType event(String type, Class<? extends Record> c) {
        return new EventType(type, Topics.CALL_EVENTS, c, Kind.EVENT);
    }

    private static EventType command(String type, Class<? extends Record> c) {
        return new EventType(type, Topics.CALL_COMMANDS, c, Kind.COMMAND);
    }

    private static EventType ivrEvent(String type, Class<? extends Record> c) {
        return new EventType(type, Topics.IVR_EVENTS, c, Kind.EVENT);
    }

    private static EventType routingEvent(String type, Class<? extends Record> c) {
        return new EventType(type, Topics.ROUTING_EVENTS, c, Kind.EVENT);
    }

    private static EventType agentEvent(String type, Class<? extends Record> c) {
        return new EventType(type, Topics.AGENT_EVENTS, c, Kind.EVENT);
    }

    private static EventType outboundEvent(String type, Class<? extends Record> c) {
        return new EventType(type, Topics.OUTBOUND_EVENTS, c, Kind.EVENT);
    }

    private EventCatalog() {
    }
}
