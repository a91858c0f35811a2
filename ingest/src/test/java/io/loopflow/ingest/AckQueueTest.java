package io.loopflow.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AckQueueTest {
    private final List<Integer> acked = Collections.synchronizedList(new ArrayList<>());
    private final AckQueue<Integer> queue = new AckQueue<>(acked::add);

    @Test
    void shouldAckOutOfOrderCompletionsInArrivalOrder() {
        AckQueue<Integer>.Entry first = queue.add(1, 1);
        AckQueue<Integer>.Entry second = queue.add(2, 1);
        AckQueue<Integer>.Entry third = queue.add(3, 1);

        third.partDone();
        second.partDone();

        assertThat(acked).as("nothing may overtake the first message").isEmpty();
        assertThat(queue.size()).isEqualTo(3);

        first.partDone();

        assertThat(acked).containsExactly(1, 2, 3);
        assertThat(queue.size()).isZero();
    }

    @Test
    void shouldAckAMessageOnlyOnceEveryOneOfItsRecordsIsDone() {
        AckQueue<Integer>.Entry three = queue.add(7, 3);

        three.partDone();
        three.partDone();
        assertThat(acked).isEmpty();

        three.partDone();
        assertThat(acked).containsExactly(7);
    }

    @Test
    void shouldAckAMessageWithoutRecordsAtOnceWhenNothingIsAheadOfIt() {
        queue.add(5, 0);

        assertThat(acked).containsExactly(5);
    }

    @Test
    void shouldBlockEveryLaterAckBehindAFailedMessage() {
        AckQueue<Integer>.Entry first = queue.add(1, 1);
        AckQueue<Integer>.Entry failed = queue.add(2, 1);
        AckQueue<Integer>.Entry third = queue.add(3, 1);

        first.partDone();
        boolean reconnect = failed.fail();
        third.partDone();

        assertThat(acked).containsExactly(1);
        assertThat(reconnect).as("the first failure asks for a reconnect").isTrue();
        assertThat(queue.blocked()).isTrue();
        assertThat(queue.size()).isEqualTo(2);
    }

    @Test
    void shouldAskForOneReconnectPerGenerationHoweverManyFail() {
        AckQueue<Integer>.Entry a = queue.add(1, 1);
        AckQueue<Integer>.Entry b = queue.add(2, 1);

        assertThat(a.fail()).isTrue();
        assertThat(b.fail()).isFalse();

        queue.reset();
        assertThat(queue.add(3, 1).fail()).as("a new connection, a new reconnect").isTrue();
    }

    @Test
    void shouldIgnoreCompletionsOfAnOlderConnectionAfterReset() {
        AckQueue<Integer>.Entry old = queue.add(1, 1);
        AckQueue<Integer>.Entry oldFailed = queue.add(2, 1);
        oldFailed.fail();

        int forgotten = queue.reset();
        AckQueue<Integer>.Entry fresh = queue.add(1, 1);
        old.partDone();

        assertThat(forgotten).isEqualTo(2);
        assertThat(acked).as("packet id 1 of the old connection must not ack packet id 1 of the new one").isEmpty();
        assertThat(oldFailed.fail()).as("an old failure asks for no second reconnect").isFalse();
        assertThat(queue.blocked()).isFalse();

        fresh.partDone();
        assertThat(acked).containsExactly(1);
        assertThat(fresh.generation()).isEqualTo(old.generation() + 1);
    }

    @Test
    void shouldRefuseMoreCompletionsThanParts() {
        AckQueue<Integer>.Entry blocked = queue.add(1, 1);
        AckQueue<Integer>.Entry e = queue.add(2, 1);
        e.partDone();

        assertThatThrownBy(e::partDone).isInstanceOf(IllegalStateException.class).hasMessageContaining("more completions than parts");
        assertThat(blocked.token()).isEqualTo(1);
    }

    @Test
    void shouldAckInArrivalOrderWhenManyThreadsCompleteAtOnce() throws InterruptedException {
        int n = 10_000;
        List<AckQueue<Integer>.Entry> entries = IntStream.range(0, n).mapToObj(i -> queue.add(i, 2)).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch done = new CountDownLatch(2 * n);
        try {
            // Second parts in reverse order, first parts in order, from four threads at once.
            for (int i = n - 1; i >= 0; i--) {
                AckQueue<Integer>.Entry e = entries.get(i);
                pool.execute(() -> {
                    e.partDone();
                    done.countDown();
                });
            }
            for (AckQueue<Integer>.Entry e : entries) {
                pool.execute(() -> {
                    e.partDone();
                    done.countDown();
                });
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            pool.shutdownNow();
        }

        assertThat(acked).containsExactlyElementsOf(IntStream.range(0, n).boxed().toList());
    }
}
