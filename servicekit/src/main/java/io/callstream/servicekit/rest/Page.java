package io.callstream.servicekit.rest;

import java.util.List;

/** One page of a list answer: the items, which page (from 0) of what size, and how many there are in all. */
public record Page<T>(List<T> items, int page, int size, long total) {
    public static final int MAX_SIZE = 200;
}
