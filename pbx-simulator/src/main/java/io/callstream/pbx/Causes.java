package io.callstream.pbx;

/** Q.850 hangup causes as Asterisk names them in {@code Cause-txt}. */
final class Causes {
    static final int UNKNOWN = 0;
    static final int UNALLOCATED = 1;
    static final int NORMAL_CLEARING = 16;
    static final int USER_BUSY = 17;
    static final int NO_ANSWER = 19;
    static final int CALL_REJECTED = 21;
    static final int ANSWERED_ELSEWHERE = 26;
    static final int DESTINATION_OUT_OF_ORDER = 27;
    static final int CONGESTION = 34;

    private Causes() {
    }

    static String text(int cause) {
        return switch (cause) {
            case UNALLOCATED -> "Unallocated (unassigned) number";
            case 3 -> "No route to destination";
            case NORMAL_CLEARING -> "Normal Clearing";
            case USER_BUSY -> "User busy";
            case 18 -> "No user responding";
            case NO_ANSWER -> "User alerting, no answer";
            case CALL_REJECTED -> "Call Rejected";
            case ANSWERED_ELSEWHERE -> "Answered elsewhere";
            case DESTINATION_OUT_OF_ORDER -> "Destination out of order";
            case 31 -> "Normal, unspecified";
            case CONGESTION -> "Circuit/channel congestion";
            default -> "Unknown";
        };
    }
}
