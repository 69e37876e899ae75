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
import org.asteriskjava.fastagi.AgiException;
import org.asteriskjava.fastagi.AgiHangupException;
import org.asteriskjava.fastagi.command.AnswerCommand;
import org.asteriskjava.fastagi.command.ChannelStatusCommand;
import org.asteriskjava.fastagi.command.ExecCommand;
import org.asteriskjava.fastagi.command.GetDataCommand;
import org.asteriskjava.fastagi.command.GetVariableCommand;
import org.asteriskjava.fastagi.command.HangupCommand;
import org.asteriskjava.fastagi.command.SetVariableCommand;
import org.asteriskjava.fastagi.command.StreamFileCommand;
import org.asteriskjava.fastagi.command.WaitForDigitCommand;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Turns one call command into its AGI commands and its result event, without blocking: every AGI
 * reply continues the command on the connection's loop thread. Waiting in queue is not blocking
 * either: music on hold starts with StartMusicOnHold and the call goes back to waiting for commands.
 */
@ApplicationScoped
public class CommandRunner {
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

    /** The dispatch-latency timer: recorded by the call's driver as it writes a command's first line. */
    Timer dispatchTimer() {
        return dispatch;
    }

    /**
     * Runs one command on the call's connection; the future completes (on the loop thread) when the
     * command's result event is published, or exceptionally with the AGI failure that stopped it.
     */
    CompletableFuture<Void> run(LiveCall call, AgiConnection channel, CallCommand command) {
        if (command instanceof AnswerCall c) {
            return channel.send(new AnswerCommand()).thenAccept(reply -> {
                hangupIfNegative(reply);
                publisher.publish(new CallAnswered(call.callId, c.commandId()));
            });
        } else if (command instanceof PlayPrompt c) {
            return play(channel, c, Math.max(1, c.repeat()))
                    .thenAccept(key -> publisher.publish(new PromptPlayed(call.callId, c.commandId(), key)));
        } else if (command instanceof CollectDigits c) {
            return collect(call, channel, c).thenAccept(publisher::publish);
        } else if (command instanceof RecognizeSpeech c) {
            return recognize(call, channel, c).thenAccept(publisher::publish);
        } else if (command instanceof StartHold c) {
            return exec(channel, "StartMusicOnHold", c.musicClass() == null ? "" : c.musicClass()).thenAccept(code -> {
                call.onHold = true;
                completed(call, c, StartHold.TYPE);
            });
        } else if (command instanceof StopHold c) {
            return stopHold(call, channel).thenRun(() -> completed(call, c, StopHold.TYPE));
        } else if (command instanceof ConnectAgent c) {
            requireText(c.endpoint(), "endpoint");
            CompletableFuture<Void> callerId = c.callerId() != null && !c.callerId().isBlank()
                    ? channel.send(new SetVariableCommand("CALLERID(num)", c.callerId())).thenAccept(r -> { })
                    : CompletableFuture.completedFuture(null);
            return callerId.thenCompose(x -> dial(call, channel, new LiveCall.Dial(c.commandId(), c.agentId(),
                    c.endpoint(), null), c.endpoint(), c.ringTimeoutSeconds()));
        } else if (command instanceof DialExternal c) {
            requireText(c.number(), "number");
            return channel.send(new SetVariableCommand("CALLERID(num)", c.callerId() == null ? "" : c.callerId()))
                    .thenCompose(r -> dial(call, channel, new LiveCall.Dial(c.commandId(), null, c.number(),
                            TransferKind.EXTERNAL), config.dial().externalTemplate().replace("{number}", c.number()),
                            c.ringTimeoutSeconds()));
        } else if (command instanceof TransferExtension c) {
            requireText(c.extension(), "extension");
            return dial(call, channel, new LiveCall.Dial(c.commandId(), null, c.extension(), TransferKind.EXTENSION),
                    config.dial().extensionTemplate().replace("{extension}", c.extension()), c.ringTimeoutSeconds());
        } else if (command instanceof SetVariable c) {
            requireText(c.name(), "name");
            return channel.send(new SetVariableCommand(c.name(), c.value() == null ? "" : c.value()))
                    .thenRun(() -> completed(call, c, SetVariable.TYPE));
        } else if (command instanceof HangUp c) {
            call.requestHangup(c.commandId());
            return channel.send(new HangupCommand()).thenRun(() -> call.markEnded(new LiveCall.Ending(
                    c.cause() == null ? 16 : c.cause(), "Normal Clearing", HangupParty.SYSTEM, false)));
        }
        failed(call, command, CommandFailureReason.INVALID, "not a command a call can run");
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Asks the channel's status (the loop thread sees res_agi's HANGUP notice as it comes, but not
     * when the switch is set not to send it): 511 or a hang-up means gone.
     */
    CompletableFuture<Void> stillThere(LiveCall call, AgiConnection channel) {
        return channel.send(new ChannelStatusCommand()).handle((reply, error) -> {
            Throwable cause = unwrap(error);
            if (cause instanceof AgiHangupException || (reply != null && reply.resultCode() < 0)) {
                call.markEnded(new LiveCall.Ending(16, "Normal Clearing",
                        call.hangupRequested() ? HangupParty.SYSTEM : call.farEnd(), false));
            } else if (cause != null) {
                call.markEnded(new LiveCall.Ending(0, "switch connection lost", HangupParty.UNKNOWN, false));
            }
            return null;
        });
    }

    /** Plays a prompt up to {@code times} times; the key that interrupted it, if any (else null). */
    private CompletableFuture<String> play(AgiConnection channel, PlayPrompt c, int times) {
        return playOnce(channel, c.prompt(), c.interruptible()).thenCompose(key -> {
            if (key != 0) {
                return CompletableFuture.completedFuture(String.valueOf(key));
            }
            return times > 1 ? play(channel, c, times - 1) : CompletableFuture.completedFuture(null);
        });
    }

    /** One playing of a prompt: STREAM FILE for audio, the TTS application for text. Yields a key or 0. */
    private CompletableFuture<Character> playOnce(AgiConnection channel, Prompt prompt, boolean interruptible) {
        if (prompt.audioFile() != null) {
            return channel.send(new StreamFileCommand(prompt.audioFile(), interruptible ? ALL_KEYS : ""))
                    .thenApply(reply -> keyOf(reply.resultCode()));
        }
        String args = interruptible ? ttsText(prompt.text()) + "," + ALL_KEYS : ttsText(prompt.text());
        return channel.send(new ExecCommand(config.tts().application(), args))
                .thenApply(reply -> keyOf(reply.resultCode()));
    }

    private CompletableFuture<DigitsCollected> collect(LiveCall call, AgiConnection channel, CollectDigits c) {
        int max = c.fixedLength() != null ? c.fixedLength() : c.maxDigits();
        if (max < 1) {
            throw new IllegalArgumentException("maxDigits or fixedLength must be at least 1");
        }
        long timeoutMs = Math.max(1, c.timeoutSeconds()) * 1000L;
        String terminator = c.fixedLength() == null && c.terminator() != null && !c.terminator().isEmpty()
                ? c.terminator() : null;
        if (c.prompt() != null && c.prompt().audioFile() != null) {
            // GET DATA plays the file and reads up to max keys; '#' ends input early
            return channel.send(new GetDataCommand(c.prompt().audioFile(), timeoutMs, max)).thenApply(reply -> {
                if (reply.result().startsWith("-1")) {
                    throw new CompletionException(new AgiHangupException());
                }
                String got = reply.result();
                boolean timedOut = "timeout".equals(reply.extra());
                return new DigitsCollected(call.callId, c.commandId(), got, timedOut ? DigitsCompletion.TIMEOUT
                        : got.length() >= max ? DigitsCompletion.LENGTH_REACHED : DigitsCompletion.TERMINATOR);
            });
        }
        CompletableFuture<Character> first = c.prompt() != null ? playOnce(channel, c.prompt(), true)
                : CompletableFuture.completedFuture((char) 0);
        return first.thenCompose(key -> {
            StringBuilder digits = new StringBuilder();
            if (key != 0) {
                if (terminator != null && String.valueOf(key).equals(terminator)) {
                    return CompletableFuture.completedFuture(
                            new DigitsCollected(call.callId, c.commandId(), "", DigitsCompletion.TERMINATOR));
                }
                digits.append(key.charValue());
            }
            return moreDigits(call, channel, c, digits, max, timeoutMs, terminator);
        });
    }

    /** WAIT FOR DIGIT, one key at a time, until the length, the terminator or a timeout. */
    private CompletableFuture<DigitsCollected> moreDigits(LiveCall call, AgiConnection channel, CollectDigits c,
                                                          StringBuilder digits, int max, long timeoutMs,
                                                          String terminator) {
        if (digits.length() >= max) {
            return CompletableFuture.completedFuture(new DigitsCollected(call.callId, c.commandId(),
                    digits.toString(), DigitsCompletion.LENGTH_REACHED));
        }
        return channel.send(new WaitForDigitCommand(timeoutMs)).thenCompose(reply -> {
            int code = reply.resultCode();
            if (code < 0) {
                throw new CompletionException(new AgiHangupException());
            }
            if (code == 0) {
                return CompletableFuture.completedFuture(new DigitsCollected(call.callId, c.commandId(),
                        digits.toString(), DigitsCompletion.TIMEOUT));
            }
            char key = (char) code;
            if (terminator != null && String.valueOf(key).equals(terminator)) {
                return CompletableFuture.completedFuture(new DigitsCollected(call.callId, c.commandId(),
                        digits.toString(), DigitsCompletion.TERMINATOR));
            }
            digits.append(key);
            return moreDigits(call, channel, c, digits, max, timeoutMs, terminator);
        });
    }

    private CompletableFuture<SpeechRecognized> recognize(LiveCall call, AgiConnection channel, RecognizeSpeech c) {
        CompletableFuture<Integer> setup = call.speechReady ? CompletableFuture.completedFuture(0)
                : exec(channel, config.asr().setupApplication(), c.language() == null ? "" : c.language())
                        .thenApply(code -> {
                            call.speechReady = true;
                            return code;
                        });
        String file = c.prompt() != null && c.prompt().audioFile() != null ? c.prompt().audioFile() : "";
        return setup
                .thenCompose(x -> c.prompt() != null && c.prompt().audioFile() == null
                        ? playOnce(channel, c.prompt(), false).thenApply(k -> 0)
                        : CompletableFuture.completedFuture(0))
                .thenCompose(x -> exec(channel, config.asr().application(), file + "," + Math.max(1, c.timeoutSeconds())))
                .thenCompose(x -> channel.send(new GetVariableCommand(config.asr().resultVariable())))
                .thenApply(reply -> new SpeechRecognized(call.callId, c.commandId(),
                        reply.resultCode() == 1 && reply.extra() != null ? reply.extra() : "", null));
    }

    /**
     * Dials a party and bridges it with the caller; res_agi answers the Dial only when ringing and
     * talk are over. Ringing and answer are published from AMI events as they happen; what is left
     * (not answered, or the bridge's end) from DIALSTATUS when Dial returns.
     */
    private CompletableFuture<Void> dial(LiveCall call, AgiConnection channel, LiveCall.Dial dial, String dialString,
                                         int ringTimeout) {
        CompletableFuture<Void> unhold = call.onHold ? stopHold(call, channel) : CompletableFuture.completedFuture(null);
        return unhold.thenCompose(x -> {
            call.dial(dial);
            Instant started = Instant.now();
            // option g: when the dialled party hangs up, Dial returns 0 and the caller stays with us;
            // without it Dial returns -1 after any bridge, as if the caller had gone
            return channel.send(new ExecCommand("Dial", dialString + "," + Math.max(1, ringTimeout) + ",g"))
                    .thenCompose(reply -> {
                        hangupIfNegative(reply);
                        return channel.send(new GetVariableCommand("DIALSTATUS"));
                    })
                    .thenAccept(reply -> {
                        String status = reply.resultCode() == 1 ? reply.extra() : null;
                        if ("ANSWER".equals(status)) {
                            ami.answered(call, null); // AMI may have been away: make sure the answer was published
                            publisher.publish(new BridgeEnded(call.callId, dial.commandId, dial.agentId, dial.target,
                                    dial.agentId != null ? HangupParty.AGENT : HangupParty.CALLEE,
                                    talkMillis(dial, started)));
                        } else {
                            publisher.publish(new DialFailed(call.callId, dial.commandId, dial.agentId, dial.target,
                                    failureOf(status)));
                        }
                    })
                    .whenComplete((v, error) -> {
                        if (unwrap(error) instanceof AgiHangupException && dial.answered.get()) {
                            publisher.publish(new BridgeEnded(call.callId, dial.commandId, dial.agentId, dial.target,
                                    call.hangupRequested() ? HangupParty.SYSTEM : call.farEnd(),
                                    talkMillis(dial, started)));
                        }
                        call.dial(null);
                    });
        });
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

    private CompletableFuture<Void> stopHold(LiveCall call, AgiConnection channel) {
        return exec(channel, "StopMusicOnHold", "").thenAccept(code -> call.onHold = false);
    }

    private static CompletableFuture<Integer> exec(AgiConnection channel, String application, String args) {
        return channel.send(new ExecCommand(application, args)).thenApply(reply -> {
            if (reply.resultCode() == -2) {
                throw new CompletionException(new AgiException("the switch has no application " + application));
            }
            hangupIfNegative(reply);
            return reply.resultCode();
        });
    }

    private void completed(LiveCall call, CallCommand c, String type) {
        publisher.publish(new CommandCompleted(call.callId, c.commandId(), type));
    }

    void failed(LiveCall call, CallCommand command, CommandFailureReason reason, String detail) {
        publisher.publish(new CommandFailed(call.callId, command.commandId(), CallSessions.typeOf(command), reason, detail));
    }

    /** An application argument list is comma-separated: keep the text's own commas from splitting it. */
    private static String ttsText(String text) {
        return text.replace(",", "\\,").replace('\n', ' ');
    }

    private static char keyOf(int resultCode) {
        if (resultCode < 0) {
            throw new CompletionException(new AgiHangupException());
        }
        return resultCode > 0 ? (char) resultCode : 0;
    }

    /** res_agi answers -1 when the channel hung up during the command. */
    private static void hangupIfNegative(AgiReply reply) {
        if (reply.resultCode() < 0) {
            throw new CompletionException(new AgiHangupException());
        }
    }

    static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static void requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " is empty");
        }
    }
}
