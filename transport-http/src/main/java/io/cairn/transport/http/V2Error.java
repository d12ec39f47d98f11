package io.cairn.transport.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An error of etcd's v2 keys API: etcd's code, message and HTTP status, the cause (usually the key)
 * and the index it happened at. Written as etcd writes it: {@code {"errorCode":100,"message":"Key
 * not found","cause":"/foo","index":7}} with the index also in {@code X-Etcd-Index}.
 */
final class V2Error extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    static final int KEY_NOT_FOUND = 100;
    static final int TEST_FAILED = 101;
    static final int NOT_FILE = 102;
    static final int NOT_DIR = 104;
    static final int NODE_EXIST = 105;
    static final int ROOT_READ_ONLY = 107;
    static final int DIR_NOT_EMPTY = 108;
    static final int UNAUTHORIZED = 110;
    static final int PREV_VALUE_REQUIRED = 201;
    static final int TTL_NAN = 202;
    static final int INDEX_NAN = 203;
    static final int INVALID_FIELD = 209;
    static final int INVALID_FORM = 210;
    static final int REFRESH_VALUE = 211;
    static final int REFRESH_TTL_REQUIRED = 212;
    static final int RAFT_INTERNAL = 300;
    static final int LEADER_ELECT = 301;
    static final int EVENT_INDEX_CLEARED = 401;

    private final int code;
    private final String detail;
    private final long index;

    V2Error(int code, String cause, long index) {
        super(message(code) + " (" + cause + ")");
        this.code = code;
        this.detail = cause;
        this.index = index;
    }

    int code() {
        return code;
    }

    long index() {
        return index;
    }

    /** etcd's {@code v2error} messages. */
    static String message(int code) {
        return switch (code) {
            case KEY_NOT_FOUND -> "Key not found";
            case TEST_FAILED -> "Compare failed";
            case NOT_FILE -> "Not a file";
            case NOT_DIR -> "Not a directory";
            case NODE_EXIST -> "Key already exists";
            case ROOT_READ_ONLY -> "Root is read only";
            case DIR_NOT_EMPTY -> "Directory not empty";
            case UNAUTHORIZED -> "The request requires user authentication";
            case PREV_VALUE_REQUIRED -> "PrevValue is Required in POST form";
            case TTL_NAN -> "The given TTL in POST form is not a number";
            case INDEX_NAN -> "The given index in POST form is not a number";
            case INVALID_FIELD -> "Invalid field";
            case INVALID_FORM -> "Invalid POST form";
            case REFRESH_VALUE -> "Value provided on refresh";
            case REFRESH_TTL_REQUIRED -> "A TTL must be provided on refresh";
            case RAFT_INTERNAL -> "Raft Internal Error";
            case LEADER_ELECT -> "During Leader Election";
            case EVENT_INDEX_CLEARED -> "The event in requested index is outdated and cleared";
            default -> "Unknown error";
        };
    }

    /** etcd's {@code errorStatus}: the codes it lists, 400 for every other one. */
    int httpStatus() {
        return switch (code) {
            case KEY_NOT_FOUND -> 404;
            case NOT_FILE, DIR_NOT_EMPTY -> 403;
            case UNAUTHORIZED -> 401;
            case TEST_FAILED, NODE_EXIST -> 412;
            case RAFT_INTERNAL, LEADER_ELECT -> 500;
            default -> 400;
        };
    }

    String json() {
        ObjectNode body = JSON.createObjectNode();
        body.put("errorCode", code);
        body.put("message", message(code));
        if (!detail.isEmpty()) {
            body.put("cause", detail);
        }
        body.put("index", index);
        return body.toString() + "\n";
    }
}
