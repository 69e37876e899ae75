package io.callstream.pbx;

import java.util.Map;

/**
 * An AMI Originate as received.
 *
 * @param channel     dial string, {@code PJSIP/<number>@<trunk>} or {@code PJSIP/<endpoint>}
 * @param context     dialplan context to run on answer (null with an application)
 * @param exten       extension
 * @param priority    priority
 * @param application application to run on answer instead of the dialplan (null with a context)
 * @param data        the application's data
 * @param timeoutMs   how long to ring
 * @param callerIdNum caller id number given (may be null)
 * @param callerIdName caller id name given (may be null)
 * @param channelId   unique id to give the channel (may be null)
 * @param variables   channel variables
 * @param actionId    the Originate's ActionID, echoed in OriginateResponse
 */
record OriginateRequest(String channel, String context, String exten, int priority, String application, String data,
                        long timeoutMs, String callerIdNum, String callerIdName, String channelId,
                        Map<String, String> variables, String actionId) {

    /** Originate's reason codes (the control frame the call ended on). */
    static final int REASON_FAILURE = 0;
    static final int REASON_HANGUP = 1;
    static final int REASON_RINGING = 3;
    static final int REASON_ANSWERED = 4;
    static final int REASON_BUSY = 5;
    static final int REASON_CONGESTION = 8;

    /** What came of it: the channel (null if none was created) and the reason code. */
    record Result(boolean success, int reason, Channel channel) {
    }

    /** The number dialled: between the technology's slash and the {@code @}. */
    String number() {
        int slash = channel.indexOf('/');
        int at = channel.indexOf('@', slash + 1);
        String resource = channel.substring(slash + 1, at < 0 ? channel.length() : at);
        int extra = resource.indexOf('/');
        return extra < 0 ? resource : resource.substring(0, extra);
    }

    /** The endpoint the call goes out through: the trunk after {@code @}, or the endpoint itself. */
    String endpoint() {
        int slash = channel.indexOf('/');
        int at = channel.indexOf('@', slash + 1);
        if (at >= 0) {
            String trunk = channel.substring(at + 1);
            int extra = trunk.indexOf('/');
            return extra < 0 ? trunk : trunk.substring(0, extra);
        }
        return number();
    }

    /** {@code PJSIP/1001}: the technology and resource without the trunk. */
    String technologyAndResource() {
        int slash = channel.indexOf('/');
        return channel.substring(0, slash + 1) + number();
    }
}
