"""Schema fuzzing (schemathesis) against /openapi.json: every operation, anonymously and as a viewer, an
editor and an admin, on the pass's backend: no 5xx, every response valid against its documented schema,
every status code documented.

Bounded in `make test` (TSUNAGARI_FUZZ_EXAMPLES per operation, mode and role, default 3, from a fixed
seed: at least 1,000 calls in all); `make fuzz` runs many more and writes the figures to RELIABILITY.md.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from tests.conftest import TEST_BACKEND
from tests.reliability.figures import record
from tests.staff_support import bearer, build_app, make_user
from tsunagari.access.roles import Role

EXAMPLES = int(os.environ.get("TSUNAGARI_FUZZ_EXAMPLES", "3"))
SEED = int(os.environ.get("TSUNAGARI_FUZZ_SEED", "20261217"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
MINIMUM_CASES = 1_000


@dataclass
class Tally:
    calls: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)
    """The first failure of each operation, role and mode."""


def fuzz(
    operation: schemathesis.APIOperation,
    mode: GenerationMode,
    role: str,
    headers: dict[str, str],
    tally: Tally,
) -> None:
    """EXAMPLES generated cases of one operation sent as one role; the first failure is kept."""
    label = f"{operation.method.upper()} {operation.path} ({mode.value}, {role})"

    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def attempt(case: schemathesis.Case) -> None:
        if label in tally.failures:
            return
        response = case.call(headers=headers)
        tally.calls += 1
        tally.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        # Schemathesis reports failures as a group (a BaseExceptionGroup); collected, so that the report
        # lists every operation that fails.
        except (Exception, BaseExceptionGroup) as failure:
            tally.failures[label] = f"{failure}"[:1500]

    try:
        attempt()
    except Unsatisfiable:
        pass  # no negative data exists for an operation without parameters or a body (/healthz)
    except Exception as error:  # a strategy schemathesis cannot build is a failure too
        tally.failures.setdefault(label, f"{type(error).__name__}: {error}"[:1500])


def test_every_operation_as_every_role_answers_as_documented(cli_database: str) -> None:
    app = build_app()
    roles: dict[str, dict[str, str]] = {"anonymous": {}}
    roles["viewer"] = bearer(make_user(Role.viewer))
    roles["editor"] = bearer(make_user(Role.editor, ("武蔵野市",)))
    roles["admin"] = bearer(make_user(Role.admin))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40, "the OpenAPI document lost its operations"
    tally = Tally()

    for operation in operations:
        for mode in GenerationMode:
            for role, headers in roles.items():
                fuzz(operation, mode, role, headers, tally)

    statuses = ", ".join(f"{code}: {count}" for code, count in sorted(tally.statuses.items()))
    print(f"{tally.calls} calls on {TEST_BACKEND}; statuses {statuses}; {len(tally.failures)} failing")
    if not tally.failures:
        record(
            f"fuzz-{TEST_BACKEND}",
            f"- schemathesis {schemathesis.__version__} on {TEST_BACKEND} (seed {SEED}, {EXAMPLES} "
            f"examples per operation, mode and role): {len(operations)} operations × positive and "
            f"negative data × anonymous, viewer, editor, admin = {tally.calls:,} calls; statuses "
            f"{statuses}; 0 server errors, 0 responses off their schema, 0 undocumented status codes.",
        )
    report = "\n\n".join(f"{label}:\n{text}" for label, text in sorted(tally.failures.items()))
    assert not tally.failures, f"{len(tally.failures)} operation/role/mode combinations failed:\n\n{report}"
    assert tally.calls >= MINIMUM_CASES or EXAMPLES < 3, f"only {tally.calls} calls"


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
