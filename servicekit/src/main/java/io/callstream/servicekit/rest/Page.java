package io.callstream.servicekit.rest;

import io.callstream.servicekit.problem.ProblemException;

import java.util.List;

/** One page of a list answer: the items, which page (from 0) of what size, and how many there are in all. */
public record Page<T>(List<T> items, int page, int size, long total) {
    public static final int MAX_SIZE = 200;

    /** Refuses a requested page (from 0) and size (1 to {@value #MAX_SIZE}) out of range, naming the parameter. */
    public static void checkRequest(int page, int size) {
        if (page < 0) {
            throw ProblemException.invalid("page", "must be 0 or more");
        }
        if (size < 1 || size > MAX_SIZE) {
            throw ProblemException.invalid("size", "must be from 1 to " + MAX_SIZE);
        }
    }
}
