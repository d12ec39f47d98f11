package io.cairn.server;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

class QueuePublisherTest {

    /** Records signals; completes the publisher from inside onNext, as keepAliveOnce does. */
    private static final class Recorder implements Flow.Subscriber<Integer> {
        final List<String> signals = new ArrayList<>();
        final QueuePublisher<Integer> publisher;
        Flow.Subscription subscription;

        Recorder(QueuePublisher<Integer> publisher) {
            this.publisher = publisher;
        }

        @Override public void onSubscribe(Flow.Subscription s) { subscription = s; }
        @Override public void onNext(Integer item) { signals.add("next " + item); publisher.complete(); }
        @Override public void onError(Throwable t) { signals.add("error " + t.getMessage()); }
        @Override public void onComplete() { signals.add("complete"); }
    }

    @Test
    void deliversOnDemandAndCompletesOnceWhenCompletedFromOnNext() {
        QueuePublisher<Integer> publisher = new QueuePublisher<>(() -> {});
        Recorder recorder = new Recorder(publisher);
        publisher.subscribe(recorder);
        publisher.offer(1);
        assertEquals(List.of(), recorder.signals, "no demand yet");
        recorder.subscription.request(5);
        assertEquals(List.of("next 1", "complete"), recorder.signals);
        publisher.offer(2);
        assertEquals(List.of("next 1", "complete"), recorder.signals, "nothing after completion");
    }

    @Test
    void aSecondSubscriberIsRefusedAndCancelRunsTheHookOnce() {
        int[] cancels = {0};
        QueuePublisher<Integer> publisher = new QueuePublisher<>(() -> cancels[0]++);
        Recorder first = new Recorder(publisher);
        Recorder second = new Recorder(publisher);
        publisher.subscribe(first);
        publisher.subscribe(second);
        assertEquals(List.of("error this stream already has a subscriber"), second.signals);
        first.subscription.cancel();
        first.subscription.cancel();
        assertEquals(1, cancels[0]);
        publisher.fail(new RuntimeException("x"));
        assertEquals(List.of(), first.signals, "nothing after cancel");
    }
}
