package io.callstream.gateway.ami;

/** Names of the common Q.850 hang-up causes, for events whose source gives only the number. */
final class Q850 {
    static String text(int cause) {
        return switch (cause) {
            case 1 -> "Unallocated (unassigned) number";
            case 16 -> "Normal Clearing";
            case 17 -> "User busy";
            case 18 -> "No user responding";
            case 19 -> "User alerting, no answer";
            case 21 -> "Call Rejected";
            case 27 -> "Destination out of order";
            case 31 -> "Normal, unspecified";
            case 32 -> "Circuit/channel congestion";
            case 34 -> "No circuit/channel available";
            case 38 -> "Network out of order";
            case 41 -> "Temporary failure";
            case 127 -> "Interworking, unspecified";
            default -> "Cause " + cause;
        };
    }

    private Q850() {
    }
}
