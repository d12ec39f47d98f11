package io.cairn.transport.http;

import io.cairn.api.KeyValue;
import io.cairn.api.watch.Event;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Turns the v3 events of one revision in the v2 namespace back into etcd v2 events (V2.md): a
 * revision written by a v2 request carries the {@link V2Node#ACTION_KEY} with the action and the
 * node it was about, and gives one event for that node (none for a TTL refresh, which etcd does not
 * show to watchers); a revision without it that deletes nodes is a lease expiry and gives one
 * {@code expire} event per topmost deleted node.
 */
final class V2Events {

    /** One v2 event: {@code deletion} marks events that end a node (and so the nodes below it). */
    record V2Event(String action, String path, boolean deletion, ObjectNode node, ObjectNode prevNode, long index) {
        String json() {
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            body.put("action", action);
            body.set("node", node);
            if (prevNode != null) {
                body.set("prevNode", prevNode);
            }
            return body.toString() + "\n";
        }

        /**
         * Whether a watcher of {@code watched} ({@code recursive}: and below) sees this event: its
         * own node; a node below it (not under a hidden "_" element) if recursive; or the deletion of
         * a directory above it, as etcd notifies watchers inside a deleted tree.
         */
        boolean matches(String watched, boolean recursive) {
            if (path.equals(watched)) {
                return true;
            }
            if (recursive && isBelow(path, watched) && !hiddenBelow(path, watched)) {
                return true;
            }
            return deletion && isBelow(watched, path);
        }
    }

    private V2Events() {}

    /** The v2 events of one revision's v3 events, all in the v2 namespace, in key order. */
    static List<V2Event> of(long revision, List<Event> events) {
        String action = null;
        String primary = null;
        boolean refresh = false;
        for (Event event : events) {
            if (event.kv().key().equals(V2Node.ACTION_KEY) && event.type() == Event.Type.PUT) {
                String[] record = new String(event.kv().value().toByteArray(), StandardCharsets.UTF_8).split("\n");
                action = record[0];
                primary = record.length > 1 ? record[1] : "";
                refresh = record.length > 2 && record[2].equals("refresh");
            }
        }
        long now = System.currentTimeMillis();
        List<V2Event> result = new ArrayList<>();
        if (action != null) {
            if (refresh) {
                return result;
            }
            for (Event event : events) {
                if (!V2Node.isNodeKey(event.kv().key()) || !V2Node.pathOf(event.kv().key()).equals(primary)) {
                    continue;
                }
                V2Node previous = event.prevKv().map(V2Node::decode).orElse(null);
                if (event.type() == Event.Type.PUT) {
                    V2Node node = V2Node.decode(event.kv());
                    if (node != null) {
                        result.add(new V2Event(action, primary, false, node.toJson(now),
                                previous == null ? null : previous.toJson(now), revision));
                    }
                } else {
                    result.add(deletion(action, primary, revision, previous, now));
                }
            }
            return result;
        }
        Set<String> deleted = new HashSet<>();
        for (Event event : events) {
            if (event.type() == Event.Type.DELETE && V2Node.isNodeKey(event.kv().key())) {
                deleted.add(V2Node.pathOf(event.kv().key()));
            }
        }
        for (Event event : events) {
            if (event.type() != Event.Type.DELETE || !V2Node.isNodeKey(event.kv().key())) {
                continue;
            }
            String path = V2Node.pathOf(event.kv().key());
            boolean underDeleted = V2Store.ancestors(path).stream().anyMatch(deleted::contains);
            if (!underDeleted) {
                result.add(deletion("expire", path, revision, event.prevKv().map(V2Node::decode).orElse(null), now));
            }
        }
        return result;
    }

    private static V2Event deletion(String action, String path, long revision, V2Node previous, long now) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("key", path);
        if (previous != null && previous.dir()) {
            node.put("dir", true);
        }
        node.put("modifiedIndex", revision);
        node.put("createdIndex", previous == null ? 0 : previous.createdIndex());
        return new V2Event(action, path, true, node, previous == null ? null : previous.toJson(now), revision);
    }

    /** Whether {@code path} is strictly below {@code base}. */
    static boolean isBelow(String path, String base) {
        return base.equals("/") ? !path.equals("/") : path.startsWith(base + "/");
    }

    private static boolean hiddenBelow(String path, String base) {
        String rest = base.equals("/") ? path.substring(1) : path.substring(base.length() + 1);
        for (String element : rest.split("/")) {
            if (element.startsWith("_")) {
                return true;
            }
        }
        return false;
    }

    /** The revision of a v3 event (its key's mod revision; a deletion's is the delete's). */
    static long revision(Event event) {
        KeyValue kv = event.kv();
        return kv.modRevision();
    }
}
