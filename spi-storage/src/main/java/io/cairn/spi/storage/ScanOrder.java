package io.cairn.spi.storage;

/** The direction of a range scan. Keys compare as unsigned bytes, lexicographically. */
public enum ScanOrder {
    /** From the smallest key of the range upwards. */
    ASCENDING,
    /** From the greatest key of the range downwards. */
    DESCENDING
}
