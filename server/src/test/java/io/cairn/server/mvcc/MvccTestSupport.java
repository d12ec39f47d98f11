package io.cairn.server.mvcc;

import io.cairn.api.Bytes;
import io.cairn.api.KeyValue;
import io.cairn.api.kv.DeleteRangeRequest;
import io.cairn.api.kv.PutRequest;
import io.cairn.api.kv.RangeRequest;
import io.cairn.api.kv.RangeResponse;
import io.cairn.spi.storage.Backend;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A fresh store per test on the configured backend, and short helpers. */
abstract class MvccTestSupport {

    static final BackendFactory BACKENDS = BackendFactory.fromSystemProperty();

    /** Leases the tests may attach keys to; others are "not found". */
    final Set<Long> grantedLeases = new HashSet<>(Set.of(100L, 200L, 300L));
    Backend backend;
    MvccStore store;
    long raftIndex;

    @BeforeEach
    void openStore() {
        backend = BACKENDS.create();
        store = MvccStore.open(backend, options());
    }

    @AfterEach
    void closeStore() {
        store.close();
        BACKENDS.destroy(backend);
    }

    MvccStore.Options options() {
        return MvccStore.Options.defaults(grantedLeases::contains);
    }

    void restart() {
        store.close();
        backend = BACKENDS.reopen(backend);
        store = MvccStore.open(backend, options());
    }

    static Bytes b(String text) {
        return Bytes.fromUtf8(text);
    }

    long nextIndex() {
        return ++raftIndex;
    }

    long put(String key, String value) {
        return store.applyPut(nextIndex(), PutRequest.of(b(key), b(value))).revision();
    }

    long put(String key, String value, long lease) {
        return store.applyPut(nextIndex(), PutRequest.of(b(key), b(value)).withLease(lease)).revision();
    }

    long delete(String key) {
        return store.applyDeleteRange(nextIndex(), DeleteRangeRequest.of(b(key))).revision();
    }

    RangeResponse get(String key) {
        return store.range(RangeRequest.of(b(key)));
    }

    KeyValue only(RangeResponse response) {
        if (response.kvs().size() != 1) {
            throw new AssertionError("expected exactly one key, got " + response.kvs());
        }
        return response.kvs().get(0);
    }

    static List<String> keys(RangeResponse response) {
        return response.kvs().stream().map(kv -> kv.key().toUtf8()).toList();
    }

    static KeyValue kv(String key, long create, long mod, long version, String value, long lease) {
        return new KeyValue(b(key), create, mod, version, b(value), lease);
    }
}
