package io.callstream.outbound.rest;

import java.util.List;

/**
 * What a callee upload did: rows accepted, rows refused (each with its row number and why; the first
 * {@code MAX_REPORTED} are listed), and the task's callee count after it.
 */
public record UploadResult(long accepted, long rejected, List<RowError> errors, long calleeCount) {
    public static final int MAX_REPORTED = 1000;

    /** A refused row: its number in the upload (from 1, a CSV header not counted) and why. */
    public record RowError(long row, String reason) {
    }
}
