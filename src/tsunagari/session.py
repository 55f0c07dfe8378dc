"""Sessions: the factory and unit_of_work(); importing this module installs the audit hooks, so every
session made anywhere records its writes. Domain services never import it: they are handed a session."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import tsunagari.models  # noqa: F401 - every table in the metadata (the audit trail's delete check reads it)
from tsunagari.audit import service as audit_service
from tsunagari.db import get_engine

audit_service.install_hooks()


# One sessionmaker per engine: each sessionmaker makes a Session subclass of its own, and the first
# session of a new subclass rebuilds the event dispatch of every listener (about a third of a cold
# API answer's time when a factory was made per request).
_FACTORIES: weakref.WeakKeyDictionary[Engine, sessionmaker[Session]] = weakref.WeakKeyDictionary()


def session_factory(engine: Engine | None = None) -> sessionmaker[Session]:
    bound = engine or get_engine()
    factory = _FACTORIES.get(bound)
    if factory is None:
        factory = _FACTORIES[bound] = sessionmaker(bind=bound, expire_on_commit=False)
    return factory


@contextmanager
def unit_of_work(engine: Engine | None = None) -> Iterator[Session]:
    """One transaction: commit when the block ends normally, roll back on any exception.

    Services only flush; the caller (a web request, a CLI command, an import run) owns the commit.
    """
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
