"""Importers: one module per source format; each parses, validates every row, then writes through services.

Importing this package registers the importers' pending actions (names.pending), which answering a
review item dispatches to: the shells that resolve review items import it.
"""

from tsunagari.importers.cases import PendingProgrammePartner
from tsunagari.importers.partnerships import PendingPartnership

PENDING_ACTIONS = (PendingPartnership, PendingProgrammePartner)

__all__ = ["PENDING_ACTIONS", "PendingPartnership", "PendingProgrammePartner"]
