"""A small thread-safe least-recently-used cache bounded by count and by bytes: memory stays flat
in a long-running process (the service's answers, validated FHIR resources), however large the
values one client sends."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """At most `limit` items and at most `max_bytes` of their declared sizes (`put`'s `size`,
    the caller's measure of what an item holds); the least recently used go first. An item larger
    than `max_bytes` on its own is not kept."""

    def __init__(self, limit: int, max_bytes: int | None = None) -> None:
        self.limit = limit
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: K, value: V, size: int = 0) -> None:
        with self._lock:
            if self.max_bytes is not None and size > self.max_bytes:
                return
            old = self._items.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._items[key] = (value, size)
            self.bytes += size
            while len(self._items) > self.limit or (self.max_bytes is not None and self.bytes > self.max_bytes):
                _, (_, dropped) = self._items.popitem(last=False)
                self.bytes -= dropped
