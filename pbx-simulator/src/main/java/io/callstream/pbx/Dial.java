package io.callstream.pbx;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The Dial application: {@code Dial(PJSIP/1001[&PJSIP/<number>@<trunk>...][,timeout seconds[,options]])}.
 * Rings the scripted agents/callees, bridges the first to answer, and blocks until the bridge ends.
 * Events and results follow app_dial: DialBegin/DialEnd per outgoing channel, BridgeEnter/Leave,
 * DIALSTATUS; after a bridge Dial returns -1 (the dialplan would hang up) unless the {@code g}
 * option asks to go on, in which case 0. An endpoint that cannot be reached (unknown, or no device)
 * gets no channel at all: DIALSTATUS=CHANUNAVAIL without DialBegin.
 */
final class Dial {
    private final Pbx pbx;
    private final Channel caller;
    /** Wakes this Dial when one of its outgoing channels is hung up from outside. */
    private final Runnable wake;

    /** One outgoing channel. */
    private static final class Leg {
        final Channel channel;
        final String dialString;
        final boolean agent;
        final Outcome outcome;
        final long outcomeAt;
        final Long talkMs;
        boolean ringing = true;

        Leg(Channel channel, String dialString, boolean agent, Outcome outcome, long outcomeAt, Long talkMs) {
            this.channel = channel;
            this.dialString = dialString;
            this.agent = agent;
            this.outcome = outcome;
            this.outcomeAt = outcomeAt;
            this.talkMs = talkMs;
        }
    }

    private enum Outcome { ANSWER, BUSY, CONGESTION, REJECT, FAIL, NETWORK_TIMEOUT, RING_FOREVER }

    Dial(Pbx pbx, Channel caller) {
        this.pbx = pbx;
        this.caller = caller;
        this.wake = caller.media::signal;
    }

    int run(String data) throws ChannelMedia.Interrupted {
        List<String> args = Args.appArgs(data, ',');
        String targets = Args.arg(args, 0, "");
        if (targets.isEmpty()) {
            return -1;
        }
        double seconds = Args.atof(Args.arg(args, 1, ""));
        long timeoutMs = seconds > 0 ? (long) (seconds * 1000) : -1;
        boolean goOn = Args.arg(args, 2, "").indexOf('g') >= 0;
        long started = System.nanoTime();
        for (String v : List.of("DIALSTATUS", "ANSWEREDTIME", "ANSWEREDTIME_MS", "DIALEDTIME", "DIALEDTIME_MS",
                "DIALEDPEERNAME", "DIALEDPEERNUMBER")) {
            caller.variables.remove(v);
        }

        List<Leg> legs = new ArrayList<>();
        int unavailable = 0;
        for (String target : targets.split("&")) {
            Leg leg = request(target.trim());
            if (leg == null) {
                unavailable++;
                note("dial", target.trim() + " is unavailable (no channel)");
            } else {
                legs.add(leg);
            }
        }
        if (legs.isEmpty()) {
            finish("CHANUNAVAIL", started, -1);
            return 0;
        }

        long deadline = ChannelMedia.deadlineAfterMillis(timeoutMs);
        int busy = 0;
        int congestion = 0;
        int nochan = unavailable;
        boolean noAnswerEnd = false;
        Leg winner = null;
        try {
            while (winner == null) {
                for (Leg l : legs) {
                    if (!l.ringing) {
                        continue;
                    }
                    if (l.channel.isHungUp()) {
                        // hung up from outside (AMI) while ringing
                        endLeg(l, "NOANSWER", l.channel.cause(), null);
                        noAnswerEnd = true;
                    } else if (l.outcomeAt != ChannelMedia.FOREVER && ChannelMedia.passed(l.outcomeAt)) {
                        switch (l.outcome) {
                            case ANSWER -> winner = winner == null ? l : winner;
                            case BUSY -> {
                                endLeg(l, "BUSY", Causes.USER_BUSY, "callee");
                                busy++;
                            }
                            case CONGESTION -> {
                                endLeg(l, "CONGESTION", Causes.CONGESTION, "network");
                                congestion++;
                            }
                            case REJECT -> {
                                endLeg(l, "NOANSWER", Causes.CALL_REJECTED, "callee");
                                nochan++;
                            }
                            case FAIL -> {
                                endLeg(l, "CHANUNAVAIL", 3, "network");
                                nochan++;
                            }
                            case NETWORK_TIMEOUT -> {
                                endLeg(l, "NOANSWER", Causes.NO_ANSWER, "network");
                                noAnswerEnd = true;
                            }
                            default -> {
                            }
                        }
                    }
                }
                if (winner != null) {
                    break;
                }
                if (legs.stream().noneMatch(l -> l.ringing)) {
                    String status = noAnswerEnd ? "NOANSWER" : busy > 0 ? "BUSY" : congestion > 0 ? "CONGESTION"
                            : nochan > 0 ? "CHANUNAVAIL" : "NOANSWER";
                    finish(status, started, -1);
                    return 0;
                }
                if (ChannelMedia.passed(deadline)) {
                    for (Leg l : legs) {
                        if (l.ringing) {
                            endLeg(l, "NOANSWER", Causes.NO_ANSWER, "network");
                        }
                    }
                    finish("NOANSWER", started, -1);
                    return 0;
                }
                long next = deadline;
                for (Leg l : legs) {
                    if (l.ringing) {
                        next = ChannelMedia.earlier(next, l.outcomeAt);
                    }
                }
                caller.media.awaitCondition(next,
                        () -> legs.stream().anyMatch(l -> l.ringing && l.channel.isHungUp()));
            }
        } catch (ChannelMedia.Interrupted e) {
            for (Leg l : legs) {
                if (l.ringing) {
                    endLeg(l, "CANCEL", Causes.NORMAL_CLEARING, "caller");
                }
            }
            finish("CANCEL", started, -1);
            throw e;
        }

        for (Leg l : legs) {
            if (l != winner && l.ringing) {
                endLeg(l, "CANCEL", Causes.ANSWERED_ELSEWHERE, "network");
            }
        }
        return bridge(winner, started, goOn);
    }

    /** Creates the outgoing channel for one target, or null when none can be created. */
    private Leg request(String target) {
        int slash = target.indexOf('/');
        if (slash <= 0 || slash == target.length() - 1) {
            return null;
        }
        String resource = target.substring(slash + 1);
        int at = resource.indexOf('@');
        String endpoint;
        String number;
        boolean agent;
        Outcome outcome;
        long ringMs;
        Long talkMs = null;
        if (at >= 0) {
            number = resource.substring(0, at);
            endpoint = resource.substring(at + 1);
            agent = false;
            CalleeBehavior b = pbx.calleeFor(number);
            if (b == null) {
                outcome = Outcome.FAIL;
                ringMs = 0;
            } else {
                outcome = switch (b.kind()) {
                    case ANSWER -> Outcome.ANSWER;
                    case BUSY -> Outcome.BUSY;
                    case CONGESTION -> Outcome.CONGESTION;
                    case REJECT -> Outcome.REJECT;
                    case FAILED -> Outcome.FAIL;
                    case NO_ANSWER -> b.ringTime() == null ? Outcome.RING_FOREVER : Outcome.NETWORK_TIMEOUT;
                };
                ringMs = b.ringTime() == null ? -1 : b.ringTime().toMillis();
                talkMs = b.talkTime() == null ? null : b.talkTime().toMillis();
            }
        } else {
            number = resource;
            endpoint = resource;
            agent = true;
            AgentBehavior b = pbx.agentFor(target.substring(0, slash) + "/" + resource);
            if (b == null || b.kind() == AgentBehavior.Kind.UNAVAILABLE) {
                return null;
            }
            outcome = switch (b.kind()) {
                case ANSWER -> Outcome.ANSWER;
                case BUSY -> Outcome.BUSY;
                default -> Outcome.RING_FOREVER;
            };
            ringMs = outcome == Outcome.RING_FOREVER ? -1 : b.ringTime().toMillis();
            talkMs = b.talkTime() == null ? null : b.talkTime().toMillis();
        }
        Channel leg = pbx.createChannel(endpoint, null, caller.linkedId, null);
        // the outgoing channel's own identity is the party dialled; its connected line is the caller
        leg.callerNum = number;
        leg.callerName = null;
        leg.connectedNum = caller.callerNum;
        leg.connectedName = caller.callerName;
        leg.dnid = number;
        leg.context = caller.context;
        leg.exten = caller.exten;
        leg.application = "AppDial";
        leg.applicationData = "(Outgoing Line)";
        // Dial holds its outgoing channels so DialEnd/BridgeLeave come before their Hangup event
        leg.hold();
        leg.onInterrupt(wake);
        pbx.announce(leg);
        pbx.emit(AmiMessage.event("DialBegin", "call,all").channel("", caller).channel("Dest", leg)
                .add("DialString", resource));
        pbx.newState(leg, Channel.State.RINGING);
        note("dial", "ringing " + leg.name + " (" + target + ")");
        return new Leg(leg, resource, agent, outcome, ChannelMedia.deadlineAfterMillis(ringMs), talkMs);
    }

    private int bridge(Leg winner, long started, boolean goOn) throws ChannelMedia.Interrupted {
        Channel leg = winner.channel;
        pbx.newState(leg, Channel.State.UP);
        if (caller.state != Channel.State.UP) {
            pbx.answer(caller);
        }
        pbx.emit(AmiMessage.event("DialEnd", "call,all").channel("", caller).channel("Dest", leg)
                .add("DialStatus", "ANSWER"));
        winner.ringing = false;
        caller.variables.put("DIALEDPEERNAME", leg.name);
        caller.variables.put("DIALEDPEERNUMBER", winner.dialString);
        long answered = System.nanoTime();

        String bridgeId = UUID.randomUUID().toString();
        pbx.emit(bridgeEvent("BridgeCreate", bridgeId, 0));
        caller.bridgeId = bridgeId;
        pbx.emit(bridgeEvent("BridgeEnter", bridgeId, 1).channel("", caller));
        leg.bridgeId = bridgeId;
        pbx.emit(bridgeEvent("BridgeEnter", bridgeId, 2).channel("", leg));
        if (caller.log != null) {
            caller.log.bridged(leg.name + " (" + winner.dialString + ")", winner.agent);
        }

        boolean callerLeft = false;
        try {
            long talkEnd = winner.talkMs == null ? ChannelMedia.FOREVER : ChannelMedia.deadlineAfterMillis(winner.talkMs);
            boolean legGone = caller.media.awaitCondition(talkEnd, leg::isHungUp);
            if (!legGone) {
                pbx.hangup(leg, Causes.NORMAL_CLEARING, winner.agent ? "agent" : "callee", true);
            }
        } catch (ChannelMedia.Interrupted e) {
            callerLeft = true;
        }
        if (callerLeft) {
            caller.bridgeId = "";
            pbx.emit(bridgeEvent("BridgeLeave", bridgeId, 1).channel("", caller));
            leg.bridgeId = "";
            pbx.emit(bridgeEvent("BridgeLeave", bridgeId, 0).channel("", leg));
            pbx.hangup(leg, Causes.NORMAL_CLEARING, "caller", false);
        } else {
            leg.bridgeId = "";
            pbx.emit(bridgeEvent("BridgeLeave", bridgeId, 1).channel("", leg));
            caller.bridgeId = "";
            pbx.emit(bridgeEvent("BridgeLeave", bridgeId, 0).channel("", caller));
        }
        pbx.emit(bridgeEvent("BridgeDestroy", bridgeId, 0));
        if (caller.log != null) {
            caller.log.unbridged(leg.name);
        }
        leg.removeInterruptListener(wake);
        pbx.release(leg);
        finish("ANSWER", started, answered);
        if (callerLeft) {
            throw new ChannelMedia.Interrupted();
        }
        return goOn ? 0 : -1;
    }

    private AmiMessage bridgeEvent(String name, String bridgeId, int channels) {
        return AmiMessage.event(name, "call,all")
                .add("BridgeUniqueid", bridgeId)
                .add("BridgeType", "basic")
                .add("BridgeTechnology", "simple_bridge")
                .add("BridgeCreator", "<unknown>")
                .add("BridgeName", "<unknown>")
                .add("BridgeNumChannels", channels)
                .add("BridgeVideoSourceMode", "none");
    }

    /** A ringing leg is done: DialEnd with its status, then it is hung up and destroyed. */
    private void endLeg(Leg l, String status, int cause, String by) {
        l.ringing = false;
        pbx.emit(AmiMessage.event("DialEnd", "call,all").channel("", caller).channel("Dest", l.channel)
                .add("DialStatus", status));
        if (by != null) {
            pbx.hangup(l.channel, cause, by, false);
        }
        note("dial", l.channel.name + " " + status);
        pbx.release(l.channel);
    }

    private void finish(String status, long started, long answered) {
        long now = System.nanoTime();
        long dialedMs = TimeUnit.NANOSECONDS.toMillis(now - started);
        caller.variables.put("DIALSTATUS", status);
        caller.variables.put("DIALEDTIME", String.valueOf(dialedMs / 1000));
        caller.variables.put("DIALEDTIME_MS", String.valueOf(dialedMs));
        if (answered >= 0) {
            long answeredMs = TimeUnit.NANOSECONDS.toMillis(now - answered);
            caller.variables.put("ANSWEREDTIME", String.valueOf(answeredMs / 1000));
            caller.variables.put("ANSWEREDTIME_MS", String.valueOf(answeredMs));
        }
        note("dial", "DIALSTATUS=" + status);
    }

    private void note(String type, String detail) {
        if (caller.log != null) {
            caller.log.event(type, detail);
        }
    }
}
