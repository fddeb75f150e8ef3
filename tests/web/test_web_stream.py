from __future__ import annotations

import asyncio

from ferrogym.web.stream import Broadcaster


def test_broadcaster__a_slow_client_drops_its_oldest_messages_and_counts_them() -> None:
    async def scenario() -> None:
        b = Broadcaster(queue_size=3, max_clients=10)
        slow, fast = b.subscribe("t"), b.subscribe("t")
        assert slow is not None and fast is not None
        for i in range(5):
            b.publish("t", {"i": i})
            if i < 4:
                await fast.queue.get()  # the fast client keeps up
        assert [slow.queue.get_nowait()["i"] for _ in range(3)] == [2, 3, 4]
        assert slow.dropped == 2 and fast.dropped == 0 and b.dropped_total == 2
        assert fast.queue.qsize() == 1

    asyncio.run(scenario())


def test_broadcaster__caps_clients_and_forgets_them_on_unsubscribe() -> None:
    async def scenario() -> None:
        b = Broadcaster(queue_size=1, max_clients=2)
        a, c = b.subscribe("x"), b.subscribe("y")
        assert a is not None and c is not None
        assert b.subscribe("x") is None
        b.unsubscribe(a)
        assert b.clients == 1 and "x" not in b.topics
        b.publish("x", {})  # no subscriber: nothing queued, nothing raised
        assert b.subscribe("x") is not None

    asyncio.run(scenario())
