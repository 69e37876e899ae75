package io.callstream.gateway.agi;

import io.callstream.contracts.call.AnswerCall;
import io.callstream.contracts.call.BridgeEnded;
import io.callstream.contracts.call.CallAnswered;
import io.callstream.contracts.call.CallCommand;
import io.callstream.contracts.call.CollectDigits;
import io.callstream.contracts.call.CommandCompleted;
import io.callstream.contracts.call.CommandFailed;
import io.callstream.contracts.call.CommandFailureReason;
import io.callstream.contracts.call.ConnectAgent;
import io.callstream.contracts.call.DialExternal;
import io.callstream.contracts.call.DialFailed;
import io.callstream.contracts.call.DialFailureReason;
import io.callstream.contracts.call.DigitsCollected;
import io.callstream.contracts.call.DigitsCompletion;
import io.callstream.contracts.call.HangUp;
import io.callstream.contracts.call.HangupParty;
import io.callstream.contracts.call.PlayPrompt;
import io.callstream.contracts.call.Prompt;
import io.callstream.contracts.call.PromptPlayed;
import io.callstream.contracts.call.RecognizeSpeech;
import io.callstream.contracts.call.SetVariable;
import io.callstream.contracts.call.SpeechRecognized;
import io.callstream.contracts.call.StartHold;
import io.callstream.contracts.call.StopHold;
import io.callstream.contracts.call.TransferExtension;
import io.callstream.contracts.call.TransferKind;
import io.callstream.gateway.ami.AmiClient;
import io.callstream.gateway.config.GatewayConfig;
import io.callstream.gateway.domain.LiveCall;
import io.callstream.gateway.messaging.CallEventPublisher;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import org.asteriskjava.fastagi.AgiChannel;
import org.asteriskjava.fastagi.AgiException;
import org.asteriskjava.fastagi.AgiHangupException;
import org.asteriskjava.fastagi.AgiNetworkException;
import org.asteriskjava.fastagi.command.ExecCommand;
import org.asteriskjava.fastagi.command.GetDataCommand;
import org.asteriskjava.fastagi.command.StreamFileCommand;
import org.asteriskjava.fastagi.command.WaitForDigitCommand;
import org.asteriskjava.fastagi.reply.AgiReply;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;

/**
 * Runs a call's commands on its AGI thread, in order, each answered by one result event. Blocking
 * AGI is fine here: the thread belongs to this call alone. Waiting in queue is not blocking: music
 * on hold starts with StartMusicOnHold and the thread goes back to waiting for the next command.
 */
@ApplicationScoped
public class CommandRunner {
    private static final Logger LOG = Logger.getLogger(CommandRunner.class);
    private static final String ALL_KEYS = "0123456789*#";

    private final GatewayConfig config;
    private final CallEventPublisher publisher;
    private final AmiClient ami;
    private final Timer dispatch;

    CommandRunner(GatewayConfig config, CallEventPublisher publisher, AmiClient ami, MeterRegistry registry) {
        this.config = config;
        this.publisher = publisher;
        this.ami = ami;
        this.dispatch = Timer.builder("callstream.gateway.command.dispatch")
                .description("from taking a command off Kafka (or the call's previous command finishing) to writing its first AGI line")
                .publishPercentiles(0.5, 0.99).register(registry);
    }

    /** Takes and runs the call's commands until the call ends. */
    void serve(LiveCall call, AgiChannel channel) {
        long idleCheckMs = config.agi().idleCheckInterval().toMillis();
        long lastActivity = System.nanoTime();
        long previousDone = 0;
        while (!call.isEnded()) {
            LiveCall.Queued next;
            try {
                next = call.nextCommand(Math.min(1000, idleCheckMs));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                call.markEnded(new LiveCall.Ending(0, "gateway stopping", HangupParty.SYSTEM, false));
                return;
            }
            if (next == null) {
                if (!call.isEnded() && System.nanoTime() - lastActivity >= idleCheckMs * 1_000_000L) {
                    stillThere(call, channel);
                    lastActivity = System.nanoTime();
                }
                continue;
            }
            lastActivity = System.nanoTime();
            CallCommand command = next.command();
            if (call.isEnded()) {
                failed(call, command, CommandFailureReason.CALL_ENDED, "the call ended before this command ran");
                return;
            }
            // the gateway's own overhead: from when the command was taken off Kafka, or when the call's
            // previous command finished if that was later (waiting behind it is the call's pace, not ours)
            dispatch.record(Duration.ofNanos(System.nanoTime() - Math.max(next.receivedNanos(), previousDone)));
            call.busy(true);
            try {
                run(call, channel, command);
            } catch (AgiHangupException e) {
                call.markEnded(new LiveCall.Ending(16, "Normal Clearing",
                        call.hangupRequested() ? HangupParty.SYSTEM : call.farEnd(), false));
                if (!(command instanceof HangUp)) {
                    failed(call, command, CommandFailureReason.CALL_ENDED, "the call ended during this command");
                }
            } catch (AgiNetworkException e) {
                call.markEnded(new LiveCall.Ending(0, "switch connection lost", HangupParty.UNKNOWN, false));
                failed(call, command, CommandFailureReason.CALL_ENDED, "the switch connection was lost");
            } catch (AgiException e) {
                LOG.warnf("call %s: %s failed: %s", call.callId, command.getClass().getSimpleName(), e.getMessage());
                failed(call, command, CommandFailureReason.SWITCH_ERROR, e.getMessage());
            } catch (IllegalArgumentException e) {
                failed(call, command, CommandFailureReason.INVALID, e.getMessage());
            } finally {
                call.busy(false);
                previousDone = System.nanoTime();
            }
        }
    }

    private void run(LiveCall call, AgiChannel channel, CallCommand command) throws AgiException {
        if (command instanceof AnswerCall c) {
            channel.answer();
            publisher.publish(new CallAnswered(call.callId, c.commandId()));
        } else if (command instanceof PlayPrompt c) {
            publisher.publish(new PromptPlayed(call.callId, c.commandId(), play(channel, c)));
        } else if (command instanceof CollectDigits c) {
            publisher.publish(collect(call, channel, c));
        } else if (command instanceof RecognizeSpeech c) {
            publisher.publish(recognize(call, channel, c));
        } else if (command instanceof StartHold c) {
            exec(channel, "StartMusicOnHold", c.musicClass() == null ? "" : c.musicClass());
            call.onHold = true;
            completed(call, c, StartHold.TYPE);
        } else if (command instanceof StopHold c) {
            stopHold(call, channel);
            completed(call, c, StopHold.TYPE);
        } else if (command instanceof ConnectAgent c) {
            requireText(c.endpoint(), "endpoint");
            if (c.callerId() != null && !c.callerId().isBlank()) {
                channel.setVariable("CALLERID(num)", c.callerId());
            }
            dial(call, channel, new LiveCall.Dial(c.commandId(), c.agentId(), c.endpoint(), null), c.endpoint(),
                    c.ringTimeoutSeconds());
        } else if (command instanceof DialExternal c) {
            requireText(c.number(), "number");
            channel.setVariable("CALLERID(num)", c.callerId());
            dial(call, channel, new LiveCall.Dial(c.commandId(), null, c.number(), TransferKind.EXTERNAL),
                    config.dial().externalTemplate().replace("{number}", c.number()), c.ringTimeoutSeconds());
        } else if (command instanceof TransferExtension c) {
            requireText(c.extension(), "extension");
            dial(call, channel, new LiveCall.Dial(c.commandId(), null, c.extension(), TransferKind.EXTENSION),
                    config.dial().extensionTemplate().replace("{extension}", c.extension()), c.ringTimeoutSeconds());
        } else if (command instanceof SetVariable c) {
            requireText(c.name(), "name");
            channel.setVariable(c.name(), c.value() == null ? "" : c.value());
            completed(call, c, SetVariable.TYPE);
        } else if (command instanceof HangUp c) {
            call.requestHangup(c.commandId());
            channel.hangup();
            call.markEnded(new LiveCall.Ending(c.cause() == null ? 16 : c.cause(), "Normal Clearing",
                    HangupParty.SYSTEM, false));
        } else {
            failed(call, command, CommandFailureReason.INVALID, "not a command a call can run");
        }
    }

    /**
     * A waiting call's socket is not read until the next command, so a hang-up the AMI did not report
     * (AMI away) would go unnoticed: ask the channel's status now and then (511 or HANGUP: gone).
     */
    private void stillThere(LiveCall call, AgiChannel channel) {
        try {
            channel.getChannelStatus();
        } catch (AgiHangupException e) {
            call.markEnded(new LiveCall.Ending(16, "Normal Clearing",
                    call.hangupRequested() ? HangupParty.SYSTEM : call.farEnd(), false));
        } catch (AgiException e) {
            call.markEnded(new LiveCall.Ending(0, "switch connection lost", HangupParty.UNKNOWN, false));
        }
    }

    /** Plays a prompt {@code repeat} times; returns the key that interrupted it, if any. */
    private String play(AgiChannel channel, PlayPrompt c) throws AgiException {
        int times = Math.max(1, c.repeat());
        for (int i = 0; i < times; i++) {
            char key = playOnce(channel, c.prompt(), c.interruptible());
            if (key != 0) {
                return String.valueOf(key);
            }
        }
        return null;
    }

    /** One playing of a prompt: STREAM FILE for audio, the TTS application for text. Returns a key or 0. */
    private char playOnce(AgiChannel channel, Prompt prompt, boolean interruptible) throws AgiException {
        if (prompt.audioFile() != null) {
            AgiReply reply = channel.sendCommand(new StreamFileCommand(prompt.audioFile(), interruptible ? ALL_KEYS : ""));
            return keyOf(reply.getResultCode());
        }
        String args = interruptible ? ttsText(prompt.text()) + "," + ALL_KEYS : ttsText(prompt.text());
        AgiReply reply = channel.sendCommand(new ExecCommand(config.tts().application(), args));
        return keyOf(reply.getResultCode());
    }

    private DigitsCollected collect(LiveCall call, AgiChannel channel, CollectDigits c) throws AgiException {
        int max = c.fixedLength() != null ? c.fixedLength() : c.maxDigits();
        if (max < 1) {
            throw new IllegalArgumentException("maxDigits or fixedLength must be at least 1");
        }
        long timeoutMs = Math.max(1, c.timeoutSeconds()) * 1000L;
        boolean terminator = c.fixedLength() == null && c.terminator() != null && !c.terminator().isEmpty();
        StringBuilder digits = new StringBuilder();
        if (c.prompt() != null && c.prompt().audioFile() != null) {
            // GET DATA plays the file and reads up to max keys; '#' ends input early
            AgiReply reply = channel.sendCommand(new GetDataCommand(c.prompt().audioFile(), timeoutMs, max));
            if (reply.getResultCode() < 0 && reply.getResult() != null && reply.getResult().startsWith("-1")) {
                throw new AgiHangupException();
            }
            String got = reply.getResult() == null ? "" : reply.getResult();
            boolean timedOut = "timeout".equals(reply.getExtra());
            return new DigitsCollected(call.callId, c.commandId(), got, timedOut ? DigitsCompletion.TIMEOUT
                    : got.length() >= max ? DigitsCompletion.LENGTH_REACHED : DigitsCompletion.TERMINATOR);
        }
        if (c.prompt() != null) {
            char first = playOnce(channel, c.prompt(), true);
            if (first != 0) {
                if (terminator && String.valueOf(first).equals(c.terminator())) {
                    return new DigitsCollected(call.callId, c.commandId(), "", DigitsCompletion.TERMINATOR);
                }
                digits.append(first);
            }
        }
        while (digits.length() < max) {
            AgiReply reply = channel.sendCommand(new WaitForDigitCommand(timeoutMs));
            int code = reply.getResultCode();
            if (code < 0) {
                throw new AgiHangupException();
            }
            if (code == 0) {
                return new DigitsCollected(call.callId, c.commandId(), digits.toString(), DigitsCompletion.TIMEOUT);
            }
            char key = (char) code;
            if (terminator && String.valueOf(key).equals(c.terminator())) {
                return new DigitsCollected(call.callId, c.commandId(), digits.toString(), DigitsCompletion.TERMINATOR);
            }
            digits.append(key);
        }
        return new DigitsCollected(call.callId, c.commandId(), digits.toString(), DigitsCompletion.LENGTH_REACHED);
    }

    private SpeechRecognized recognize(LiveCall call, AgiChannel channel, RecognizeSpeech c) throws AgiException {
        if (!call.speechReady) {
            exec(channel, config.asr().setupApplication(), c.language() == null ? "" : c.language());
            call.speechReady = true;
        }
        String file = "";
        if (c.prompt() != null) {
            if (c.prompt().audioFile() != null) {
                file = c.prompt().audioFile();
            } else {
                playOnce(channel, c.prompt(), false);
            }
        }
        exec(channel, config.asr().application(), file + "," + Math.max(1, c.timeoutSeconds()));
        String text = channel.getVariable(config.asr().resultVariable());
        return new SpeechRecognized(call.callId, c.commandId(), text == null ? "" : text, null);
    }

    /**
     * Dials a party and bridges it with the caller; Dial blocks this thread for the whole ringing and
     * talk. Ringing and answer are published from AMI events as they happen; what is left (not
     * answered, or the bridge's end) from DIALSTATUS when Dial returns.
     */
    private void dial(LiveCall call, AgiChannel channel, LiveCall.Dial dial, String dialString, int ringTimeout)
            throws AgiException {
        if (call.onHold) {
            stopHold(call, channel);
        }
        call.dial(dial);
        Instant started = Instant.now();
        try {
            // option g: when the dialled party hangs up, Dial returns 0 and the caller stays with us;
            // without it Dial returns -1 after any bridge, as if the caller had gone
            AgiReply reply = channel.sendCommand(new ExecCommand("Dial", dialString + "," + Math.max(1, ringTimeout) + ",g"));
            if (reply.getResultCode() < 0) {
                throw new AgiHangupException();
            }
            String status = channel.getVariable("DIALSTATUS");
            if ("ANSWER".equals(status)) {
                ami.answered(call, null); // AMI may have been away: make sure the answer was published
                publisher.publish(new BridgeEnded(call.callId, dial.commandId, dial.agentId, dial.target,
                        dial.agentId != null ? HangupParty.AGENT : HangupParty.CALLEE, talkMillis(dial, started)));
            } else {
                publisher.publish(new DialFailed(call.callId, dial.commandId, dial.agentId, dial.target,
                        failureOf(status)));
            }
        } catch (AgiHangupException e) {
            if (dial.answered.get()) {
                publisher.publish(new BridgeEnded(call.callId, dial.commandId, dial.agentId, dial.target,
                        call.hangupRequested() ? HangupParty.SYSTEM : call.farEnd(), talkMillis(dial, started)));
            }
            throw e;
        } finally {
            call.dial(null);
        }
    }

    private static long talkMillis(LiveCall.Dial dial, Instant started) {
        Instant from = dial.answeredAt != null ? dial.answeredAt : started;
        return Math.max(0, Duration.between(from, Instant.now()).toMillis());
    }

    static DialFailureReason failureOf(String dialStatus) {
        if (dialStatus == null) {
            return DialFailureReason.FAILED;
        }
        return switch (dialStatus) {
            case "NOANSWER" -> DialFailureReason.NO_ANSWER;
            case "BUSY" -> DialFailureReason.BUSY;
            case "CONGESTION" -> DialFailureReason.CONGESTION;
            case "CHANUNAVAIL" -> DialFailureReason.UNAVAILABLE;
            default -> DialFailureReason.FAILED;
        };
    }

    private void stopHold(LiveCall call, AgiChannel channel) throws AgiException {
        exec(channel, "StopMusicOnHold", "");
        call.onHold = false;
    }

    private static int exec(AgiChannel channel, String application, String args) throws AgiException {
        AgiReply reply = channel.sendCommand(new ExecCommand(application, args));
        if (reply.getResultCode() == -2) {
            throw new AgiException("the switch has no application " + application);
        }
        if (reply.getResultCode() < 0) {
            throw new AgiHangupException();
        }
        return reply.getResultCode();
    }

    private void completed(LiveCall call, CallCommand c, String type) {
        publisher.publish(new CommandCompleted(call.callId, c.commandId(), type));
    }

    private void failed(LiveCall call, CallCommand command, CommandFailureReason reason, String detail) {
        publisher.publish(new CommandFailed(call.callId, command.commandId(), CallSession.typeOf(command), reason, detail));
    }

    /** An application argument list is comma-separated: keep the text's own commas from splitting it. */
    private static String ttsText(String text) {
        return text.replace(",", "\\,").replace('\n', ' ');
    }

    private static char keyOf(int resultCode) throws AgiHangupException {
        if (resultCode < 0) {
            throw new AgiHangupException();
        }
        return resultCode > 0 ? (char) resultCode : 0;
    }

    private static void requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " is empty");
        }
    }
}
