"""One bounded, thread-safe cache for everything kept per content version (views, pages, answers)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable


class LRUCache:
    """A mapping bounded by a number of entries and/or a total size, least recently used out first.

    `size` tells what an entry weighs (bytes of a page or an answer); an entry heavier than
    `max_entry_size` is not kept at all. The first value stored under a key stays: every
    value for one key within a content version is the same answer.
    """

    def __init__(self, max_entries: int | None = None, max_size: int | None = None,
                 size: Callable[[object], int] | None = None, max_entry_size: int | None = None):
        self.max_entries, self.max_size, self.max_entry_size = max_entries, max_size, max_entry_size
        self._size_of = size or (lambda value: 0)
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self.size = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, default=None):
        with self._lock:
            if key not in self._entries:
                return default
            self._entries.move_to_end(key)
            return self._entries[key]

    def put(self, key: Hashable, value) -> None:
        weight = self._size_of(value)
        if self.max_entry_size is not None and weight > self.max_entry_size:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = value
            self.size += weight
            while (self.max_entries is not None and len(self._entries) > self.max_entries) or \
                    (self.max_size is not None and self.size > self.max_size):
                _, old = self._entries.popitem(last=False)
                self.size -= self._size_of(old)

    def recent_keys(self, limit: int) -> list:
        """Up to `limit` keys, the most recently used first (a copy: the cache may change meanwhile)."""
        with self._lock:
            keys = []
            for key in reversed(self._entries):
                if len(keys) >= limit:
                    break
                keys.append(key)
            return keys

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self._entries)
