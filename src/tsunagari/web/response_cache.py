"""Public API responses kept in memory by each app process and checked against the data version.

Every write to the registry leaves an audit entry (and a new name leaves a municipality_name row),
so the largest ids of those two tables say whether anything a public response shows may have
changed since it was built. A cached body is served only while that version is the same; it costs
two index lookups instead of building the response again, and holds across processes and both
backends, since the version is read from the database itself. ETags and 304s work as before.

Why not an HTTP cache in front (Varnish, nginx proxy_cache, a CDN): those are the way on when one
machine is not enough (docs/deployment.md), but they can only expire by time; this one is never
stale, which the staff who edit a record and then look at the public portal expect.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Final

from tsunagari.audit.service import DataVersion

# A body larger than this is built each time (a whole-registry listing): a few of them would crowd
# the detail pages and searches out of the memory allowed.
MAX_BODY_BYTES: Final = 512 * 1024


@dataclass(frozen=True)
class CachedResponse:
    version: DataVersion
    body: bytes
    headers: dict[str, str]
    """The handler's own headers (content type and any other), without the length."""
    etag: str


class ResponseCache:
    """Least recently used responses by (database, path, query), within an entry and byte budget.

    Looked up from the request threads (beside the data-version check) and filled from the event
    loop, so every change holds a lock.
    """

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[tuple[str, str, str], CachedResponse] = OrderedDict()
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0 and self.max_bytes > 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: tuple[str, str, str], version: DataVersion) -> CachedResponse | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.version != version:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: tuple[str, str, str], entry: CachedResponse) -> None:
        if len(entry.body) > min(MAX_BODY_BYTES, self.max_bytes):
            return
        with self._lock:
            self._put(key, entry)

    def _put(self, key: tuple[str, str, str], entry: CachedResponse) -> None:
        if (old := self._entries.pop(key, None)) is not None:
            self.size -= len(old.body)
        self._entries[key] = entry
        self.size += len(entry.body)
        while len(self._entries) > self.max_entries or self.size > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self.size -= len(evicted.body)
