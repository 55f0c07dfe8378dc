"""Whole-registry downloads built once per data version and kept as files, then streamed from the file
with an ETag and Last-Modified (304 on revalidation); knows no domain: each download is a key and a
function that builds its response.

Building the partnership CSV or JSON-LD of the global corpus takes seconds and tens of MB; serving a
kept file takes a file open. A kept file is named by its key, the data version it was built at (the
response cache's: web.response_cache) and a fingerprint of the code, so a write or a new release makes
the next request build it afresh, and every process of the instance shares the same files. Files of
older versions are removed once a newer one is kept: a request streaming one holds it open, which on
POSIX keeps its bytes until it is done.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.utils import formatdate
from functools import cache
from pathlib import Path
from typing import IO, Final

from fastapi import Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

import tsunagari
from tsunagari.audit.service import DataVersion, data_version_on
from tsunagari.config import get_settings
from tsunagari.web.public_api import _matches

CHUNK_BYTES: Final = 64 * 1024
KEPT_PER_DOWNLOAD: Final = 4
"""Files kept of one download: its newest versions and variants."""
# Clients revalidate every time (a 304 costs a file stat here): the data may change at any write.
CACHE_CONTROL: Final = "no-cache"


@dataclass(frozen=True)
class Kept:
    body: Path
    etag: str
    headers: dict[str, str]
    """The builder's headers (content type, disposition, links), without the length."""


@cache
def code_fingerprint() -> str:
    """The package's version and its modules' sizes and times: a kept file outlives no code change."""
    root = Path(tsunagari.__file__).parent
    digest = hashlib.sha256(tsunagari.__version__.encode())
    for path in sorted(root.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def default_directory() -> Path:
    """The instance's var/ directory: beside a SQLite database, else ./var (the temporary directory
    when neither can be written)."""
    settings = get_settings()
    sqlite = settings.sqlite_path()
    base = sqlite.parent if sqlite is not None else Path("var")
    directory = base / "downloads"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        directory = Path(tempfile.gettempdir()) / "tsunagari-downloads"
        directory.mkdir(parents=True, exist_ok=True)
    return directory


def _modified(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:  # removed meanwhile by another process
        return 0


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


class DownloadStore:
    """Kept downloads under one directory. Used from the request threads: one lock per key, so one
    build at a time per download while the others wait for it rather than build it too."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.builds = 0
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, name: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(name, threading.Lock())

    def kept(
        self,
        *,
        key: str,
        database: str,
        version: DataVersion,
        build: Callable[[], Response],
        variant: str = "",
    ) -> Kept:
        """The download `key` (in its `variant`: the address a JSON-LD's ids start with) at this data
        version of this database, built now if none is kept."""
        name = _hash(database, key)
        stem = f"{name}-{_hash(code_fingerprint(), str(version[0]), str(version[1]), variant)}"
        with self._lock(name):
            found = self._read(stem)
            if found is not None:
                return found
            response = build()
            body = bytes(response.body)
            headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
            kept = Kept(
                self.directory / f"{stem}.body", f'"{hashlib.sha256(body).hexdigest()[:32]}"', headers
            )
            self._write(stem, kept, body)
            self.builds += 1
            self._prune(name)
            return kept

    def _prune(self, name: str) -> None:
        """Keep the newest few files of a download (variants come from the Host header: unbounded)."""
        bodies = sorted(self.directory.glob(f"{name}-*.body"), key=_modified, reverse=True)
        for old in bodies[KEPT_PER_DOWNLOAD:]:
            old.with_suffix(".json").unlink(missing_ok=True)
            old.unlink(missing_ok=True)

    def _read(self, stem: str) -> Kept | None:
        try:
            meta = json.loads((self.directory / f"{stem}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        body = self.directory / f"{stem}.body"
        return Kept(body, meta["etag"], meta["headers"]) if body.exists() else None

    def _write(self, stem: str, kept: Kept, body: bytes) -> None:
        # Written aside and renamed into place: another process never reads half a file. The body goes
        # first: the metadata says the body is complete.
        self.directory.mkdir(parents=True, exist_ok=True)
        meta = json.dumps({"etag": kept.etag, "headers": kept.headers}).encode("utf-8")
        for suffix, data in ((".body", body), (".json", meta)):
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=f".{stem}", suffix=suffix)
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, self.directory / f"{stem}{suffix}")


def download_store(request: Request) -> DownloadStore:
    """The app's store, made on first use (tests may set app.state.download_store to their own)."""
    state = request.app.state
    store: DownloadStore | None = getattr(state, "download_store", None)
    if store is None:
        store = DownloadStore(default_directory())
        state.download_store = store
    return store


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    with stream:
        while chunk := stream.read(CHUNK_BYTES):
            yield chunk


def serve(request: Request, kept: Kept) -> Response:
    """The kept file streamed from disk, or 304 when the client's ETag is the kept one's."""
    stream = kept.body.open("rb")
    stat = os.fstat(stream.fileno())
    caching = {
        "ETag": kept.etag,
        "Last-Modified": formatdate(stat.st_mtime, usegmt=True),
        "Cache-Control": CACHE_CONTROL,
    }
    if _matches(request.headers.get("if-none-match"), kept.etag):
        stream.close()
        return Response(status_code=304, headers=caching)
    return StreamingResponse(
        _chunks(stream), headers={**kept.headers, **caching, "Content-Length": str(stat.st_size)}
    )


def kept_download(
    request: Request, session: Session, key: str, build: Callable[[], Response], variant: str = ""
) -> Response:
    """The download `key` as kept for the data version the request's session sees, built with
    `build` (on the same session) when it is not kept yet. Called from a request thread, never the
    event loop: the version read is a database query."""
    connection = session.connection()
    version = data_version_on(connection)
    store = download_store(request)
    database = connection.engine.url.render_as_string(hide_password=True)
    for _ in range(2):
        kept = store.kept(key=key, database=database, version=version, build=build, variant=variant)
        # Only read: give the connection back now rather than hold it while a slow client downloads
        # (the session's dependency closes it only once the response is sent).
        session.rollback()
        try:
            return serve(request, kept)
        except FileNotFoundError:  # removed by another process that kept a newer version: build again
            continue
    raise RuntimeError(f"the download {key} could not be kept in {store.directory}")
