"""Fan-out of live messages to WebSocket clients that never waits on a client.

Each client has a bounded queue; when a slow client's queue is full the
oldest message is dropped and counted, so one stalled browser neither blocks
the publisher nor grows the server's memory. Every message a client receives
carries its running ``dropped`` count.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)  # compared and hashed by identity: clients live in sets
class Client:
    """One stream subscriber: its topic, its bounded queue and the messages dropped when it fell behind."""

    topic: str
    queue: asyncio.Queue[dict[str, Any]]
    dropped: int = 0
    sent: int = 0


@dataclass
class Broadcaster:
    """Publishes messages by topic to subscribers; a slow subscriber loses messages, never blocks the server."""

    queue_size: int
    max_clients: int
    topics: dict[str, set[Client]] = field(default_factory=lambda: defaultdict(set))
    dropped_total: int = 0
    published: int = 0

    @property
    def clients(self) -> int:
        """Subscribers across all topics."""
        return sum(len(c) for c in self.topics.values())

    def subscribe(self, topic: str) -> Client | None:
        """A new client, or None when the cap on clients is reached."""
        if self.clients >= self.max_clients:
            return None
        client = Client(topic, asyncio.Queue(maxsize=self.queue_size))
        self.topics[topic].add(client)
        return client

    def unsubscribe(self, client: Client) -> None:
        """Removes ``client``; a topic without subscribers is dropped."""
        clients = self.topics.get(client.topic)
        if clients is not None:
            clients.discard(client)
            if not clients:
                del self.topics[client.topic]

    def publish(self, topic: str, message: dict[str, Any]) -> None:
        """Queues ``message`` for every client of ``topic``; call on the event loop."""
        self.published += 1
        for client in self.topics.get(topic, ()):
            if client.queue.full():
                client.queue.get_nowait()
                client.dropped += 1
                self.dropped_total += 1
            client.queue.put_nowait(message)
