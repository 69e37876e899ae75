package io.callstream.contracts.call;

/** Who ended a call or a bridge. */
public enum HangupParty { CALLER, CALLEE, AGENT, SYSTEM, UNKNOWN }
