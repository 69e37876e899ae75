package io.callstream.contracts.call;

public enum CallDirection { INBOUND, OUTBOUND }
