package io.cairn.conformance.linearizability;

import java.util.ArrayList;
import java.util.List;

/** Hand-made histories: each call adds one operation with the next id (0, 1, 2, ...). */
final class HistoryBuilder {

    private final List<HistoryEntry> entries = new ArrayList<>();

    HistoryBuilder ok(int client, long invoke, long response, Operation operation, Result result) {
        entries.add(new HistoryEntry(entries.size(), client, invoke, response, operation, new Outcome.Ok(result)));
        return this;
    }

    HistoryBuilder unknown(int client, long invoke, Operation operation) {
        entries.add(new HistoryEntry(entries.size(), client, invoke, invoke + 1, operation, new Outcome.Unknown("timeout")));
        return this;
    }

    HistoryBuilder failed(int client, long invoke, long response, Operation operation) {
        entries.add(new HistoryEntry(entries.size(), client, invoke, response, operation, new Outcome.Failed("refused")));
        return this;
    }

    List<HistoryEntry> build() {
        return List.copyOf(entries);
    }
}
