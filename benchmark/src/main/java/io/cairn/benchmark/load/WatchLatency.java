package io.cairn.benchmark.load;

import com.google.protobuf.ByteString;
import io.cairn.etcd.protocol.etcdserverpb.KVGrpc;
import io.cairn.etcd.protocol.etcdserverpb.PutRequest;
import io.cairn.etcd.protocol.etcdserverpb.PutResponse;
import io.cairn.etcd.protocol.etcdserverpb.WatchCreateRequest;
import io.cairn.etcd.protocol.etcdserverpb.WatchGrpc;
import io.cairn.etcd.protocol.etcdserverpb.WatchRequest;
import io.cairn.etcd.protocol.etcdserverpb.WatchResponse;
import io.cairn.etcd.protocol.mvccpb.Event;
import io.grpc.stub.StreamObserver;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * watch-latency: {@code streams × watchersPerStream} watchers on one key, one client putting that
 * key at {@code rate} puts per second, and for every event each watcher receives the time from the
 * put's acknowledgement (its response) to the event's arrival. An event can arrive before the
 * put's response; it counts as 0 ms and is counted in {@code eventsBeforeAck}. Events still missing
 * five seconds after the last put are errors.
 */
final class WatchLatency {

    private WatchLatency() {
    }

    /** Arrival times of one revision: the put's acknowledgement and the events that beat it. */
    private static final class Revision {
        long sentNanos = -1;
        long ackNanos = -1;
        final List<Long> earlyEvents = new ArrayList<>(0);
    }

    /** Records one event that arrived at {@code eventNanos}; the caller holds the revision's lock and knows its ack. */
    private static void record(Histogram fromAck, Histogram fromSend, Revision revision, long eventNanos) {
        fromAck.recordValue(Math.max(0, eventNanos - revision.ackNanos));
        fromSend.recordValue(Math.max(0, eventNanos - revision.sentNanos));
    }

    static LoadResult run(LoadOptions options, Connections connections) throws InterruptedException {
        ByteString key = ByteString.copyFromUtf8("watch-latency-key");
        ByteString value = LoadGenerator.value(options.valSize());
        Histogram latencies = new ConcurrentHistogram(3);
        Histogram sentToEvent = new ConcurrentHistogram(3);
        LongAdder events = new LongAdder();
        LongAdder eventsBeforeAck = new LongAdder();
        Map<Long, Revision> revisions = new ConcurrentHashMap<>();
        AtomicReference<Throwable> streamError = new AtomicReference<>();
        int watchers = options.streams() * options.watchersPerStream();
        CountDownLatch created = new CountDownLatch(watchers);

        StreamObserver<WatchResponse> onResponse = new StreamObserver<>() {
            @Override
            public void onNext(WatchResponse response) {
                if (response.getCreated()) created.countDown();
                long now = System.nanoTime();
                for (Event event : response.getEventsList()) {
                    events.increment();
                    Revision revision = revisions.computeIfAbsent(event.getKv().getModRevision(), r -> new Revision());
                    synchronized (revision) {
                        if (revision.ackNanos < 0) revision.earlyEvents.add(now);
                        else record(latencies, sentToEvent, revision, now);
                    }
                }
            }

            @Override
            public void onError(Throwable error) {
                streamError.compareAndSet(null, error);
            }

            @Override
            public void onCompleted() {
                streamError.compareAndSet(null, new IllegalStateException("the server closed a watch stream"));
            }
        };
        List<StreamObserver<WatchRequest>> streams = new ArrayList<>();
        try {
            for (int s = 0; s < options.streams(); s++) {
                StreamObserver<WatchRequest> stream = WatchGrpc.newStub(connections.forClient(s)).watch(onResponse);
                streams.add(stream);
                for (int w = 0; w < options.watchersPerStream(); w++) {
                    stream.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder().setKey(key)).build());
                }
            }
            if (!created.await(LoadGenerator.REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException(created.getCount() + " of " + watchers + " watchers were not created"
                        + (streamError.get() == null ? "" : ": " + Driver.describe(streamError.get())));
            }

            KVGrpc.KVStub kv = KVGrpc.newStub(connections.forClient(0));
            PutRequest put = PutRequest.newBuilder().setKey(key).setValue(value).build();
            // one putting client at --rate, as in etcd's tool; each response stamps its revision
            Driver driver = new Driver(1, options.total(), options.duration(), options.rate(),
                    (client, sequence, completion) -> {
                        long sent = System.nanoTime();
                        kv.withDeadlineAfter(LoadGenerator.REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                                .put(put, new StreamObserver<PutResponse>() {
                                    @Override
                                    public void onNext(PutResponse response) {
                                        long now = System.nanoTime();
                                        Revision revision = revisions.computeIfAbsent(response.getHeader().getRevision(),
                                                r -> new Revision());
                                        synchronized (revision) {
                                            revision.sentNanos = sent;
                                            revision.ackNanos = now;
                                            for (long early : revision.earlyEvents) {
                                                record(latencies, sentToEvent, revision, early);
                                                eventsBeforeAck.increment();
                                            }
                                            revision.earlyEvents.clear();
                                        }
                                    }

                                    @Override
                                    public void onError(Throwable error) {
                                        completion.failed(error);
                                    }

                                    @Override
                                    public void onCompleted() {
                                        completion.succeeded();
                                    }
                                });
                    });
            Driver.Measured puts = driver.run();
            long expected = puts.succeeded() * watchers;
            long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (events.sum() < expected && System.nanoTime() < waitUntil && streamError.get() == null) {
                Thread.sleep(10);
            }
            long received = events.sum();
            Map<String, Long> errorKinds = new java.util.TreeMap<>(puts.errorKinds());
            if (streamError.get() != null) errorKinds.merge("watch stream: " + Driver.describe(streamError.get()), 1L, Long::sum);
            long missing = Math.max(0, expected - received);
            if (missing > 0) errorKinds.merge("events not received", missing, Long::sum);
            return new LoadResult(options.command(), options.describe(), received, missing + puts.failed(),
                    puts.elapsedNanos() / 1e9, LoadResult.Latency.of(latencies), errorKinds,
                    Map.of("puts", puts.succeeded(), "putErrors", puts.failed(), "watchers", (long) watchers,
                            "eventsBeforeAck", eventsBeforeAck.sum(),
                            "sentToEventP50Micros", sentToEvent.getValueAtPercentile(50) / 1000,
                            "sentToEventP99Micros", sentToEvent.getValueAtPercentile(99) / 1000));
        } finally {
            for (StreamObserver<WatchRequest> stream : streams) {
                try {
                    stream.onCompleted();
                } catch (RuntimeException ignored) {
                    // the server closed it already
                }
            }
        }
    }
}
