package io.callstream.contracts.call;

public enum TransferKind { EXTERNAL, EXTENSION }
