"""Staff pages of the spreadsheet import (提携のCSV / XLSX): upload, a dry-run preview listing every row with
its field, value and reason, then confirm; the CLI's importer (`import_partnerships`) in one transaction,
through the `import_partnerships` action; thin: no SQL of its own."""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from tsunagari.access import permissions
from tsunagari.access.principal import Principal
from tsunagari.errors import InvalidInput, Problem
from tsunagari.importers.partnerships import ImportRefused, ImportReport, import_partnerships
from tsunagari.importers.partnerships_validation import REQUIRED_COLUMNS
from tsunagari.importers.tabular import MAX_FILE_BYTES, Table, read_table
from tsunagari.partnership import actions as partnership_actions
from tsunagari.partnership.export import COLUMNS
from tsunagari.web.i18n import translations
from tsunagari.web.rendering import lang_of
from tsunagari.web.security import MAX_FORM_BYTES, CurrentUser, FormFields, SessionDep
from tsunagari.web.staff_pages import render, staff_router

router = staff_router()

UPLOAD_SUFFIXES = (".csv", ".xlsx")
MAX_UPLOAD_BYTES = min(MAX_FILE_BYTES, MAX_FORM_BYTES - 64 * 1024)
"""A browser upload travels in one form body (the security middleware reads at most MAX_FORM_BYTES);
larger files go through `tsunagari import partnerships`."""
KEEP_SECONDS = 24 * 3600
"""An uploaded file waits this long for its confirmation."""
SHOWN_ROWS = 2000
"""Rows listed in the preview; every row with a problem is listed whatever its place."""
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def upload_root() -> Path:
    """Where an uploaded file waits between its preview and its confirmation (one folder per upload)."""
    return Path(tempfile.gettempdir()) / "tsunagari-imports"


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


async def uploaded_file(request: Request) -> Upload | None:
    """The posted file, read on the event loop (the endpoint is a plain function)."""
    item = (await request.form()).get("file")
    if not isinstance(item, UploadFile) or not item.filename:
        return None
    return Upload(Path(item.filename).name, await item.read(MAX_UPLOAD_BYTES + 1))


UploadedFile = Annotated[Upload | None, Depends(uploaded_file)]


@dataclass
class PreviewRow:
    """One row of the file as the preview lists it: its cells and what is wrong with it."""

    line: int
    cells: list[str]
    problems: list[Problem] = field(default_factory=list)


def _folder(actor: Principal, token: str) -> Path:
    return upload_root() / f"{actor.user_id}-{token}"


def _clear_stale() -> None:
    root = upload_root()
    if not root.is_dir():
        return
    for folder in root.iterdir():
        if folder.is_dir() and time.time() - folder.stat().st_mtime > KEEP_SECONDS:
            shutil.rmtree(folder, ignore_errors=True)


def _store(actor: Principal, upload: Upload) -> tuple[str, Path]:
    _clear_stale()
    token = secrets.token_hex(16)
    folder = _folder(actor, token)
    folder.mkdir(parents=True)
    folder.chmod(0o700)
    safe = re.sub(r"[^\w.\-]+", "_", upload.name).lstrip(".") or "upload"
    path = folder / safe
    path.write_bytes(upload.data)
    return token, path


def _stored(actor: Principal, token: str) -> Path | None:
    """The upload this user previewed under `token` (no other user's, no other path)."""
    if not _TOKEN.match(token):
        return None
    folder = _folder(actor, token)
    files = sorted(folder.iterdir()) if folder.is_dir() else []
    return files[0] if files else None


def _check_upload(upload: Upload | None, lang: str) -> None:
    _ = translations("en" if lang == "en" else "ja").gettext
    if upload is None:
        raise InvalidInput(_("Choose a file to upload."), field="file")
    if Path(upload.name).suffix.lower() not in UPLOAD_SUFFIXES:
        raise InvalidInput(
            _("Upload a CSV (UTF-8 or Shift_JIS) or XLSX file."), field="file", value=upload.name
        )
    if len(upload.data) > MAX_UPLOAD_BYTES:
        raise InvalidInput(
            _("The file is too large for the browser; use tsunagari import partnerships."),
            field="file",
            value=upload.name,
        )
    if not upload.data:
        raise InvalidInput(_("The file is empty."), field="file", value=upload.name)


def _rows(path: Path, problems: list[Problem]) -> tuple[list[str], list[PreviewRow]]:
    """Every row of the file with the problems that name it (the header's under line 1)."""
    try:
        table = read_table(path, known_columns=COLUMNS, required_columns=REQUIRED_COLUMNS)
    except InvalidInput:
        table = Table(columns=[], rows=[])
    # The file's columns that hold something: an empty column only widens the table.
    columns = [c for c in table.columns if c in COLUMNS and any(row.get(c) for row in table.rows)]
    by_line: dict[int, list[Problem]] = {}
    for problem in problems:
        by_line.setdefault(problem.row or 0, []).append(problem)
    rows = [
        PreviewRow(row.line, [row.get(c) for c in columns], by_line.pop(row.line, [])) for row in table.rows
    ]
    # Problems of the header or the file itself come first, as rows of their own.
    head = [PreviewRow(line, [""] * len(columns), found) for line, found in sorted(by_line.items())]
    shown = [r for i, r in enumerate(rows) if i < SHOWN_ROWS or r.problems]
    return columns, head + shown


def _page(
    request: Request,
    status_code: int = 200,
    *,
    report: ImportReport | None = None,
    path: Path | None = None,
    token: str = "",
    errors: list[str] | None = None,
    done: bool = False,
    counts: dict[str, int] | None = None,
) -> Response:
    lang = lang_of(request)
    _ = translations(lang).gettext
    problems = report.errors if report else []
    columns, rows = _rows(path, problems) if path is not None else ([], [])
    return render(
        request,
        "importers/partnerships.html",
        status_code,
        title=_("Import partnerships from a spreadsheet"),
        report=report,
        file_name=path.name if path else "",
        columns=columns,
        rows=rows,
        bad_rows=sum(1 for r in rows if r.problems),
        truncated=report is not None and report.rows > SHOWN_ROWS,
        token=token,
        errors=errors or [],
        done=done,
        counts=counts or {},
        max_mb=f"{MAX_UPLOAD_BYTES / 1_000_000:.1f}",
        lang=lang,
    )


@router.get("/import/partnerships", name="staff.import_partnerships_form")
def import_form(request: Request, actor: CurrentUser) -> Response:
    permissions.require("import_partnerships", actor)
    counts = {
        key: int(value)
        for key in ("created", "updated", "unchanged", "review")
        if (value := request.query_params.get(key, "")).isdigit()
    }
    return _page(request, done=request.query_params.get("done") == "1", counts=counts)


def _run(session: Session, actor: Principal, path: Path, *, dry_run: bool) -> ImportReport:
    return partnership_actions.import_partnerships(
        actor=actor, run=lambda: import_partnerships(session=session, path=path, dry_run=dry_run)
    )


@router.post("/import/partnerships/preview", name="staff.preview.import_partnerships")
def preview(request: Request, session: SessionDep, actor: CurrentUser, upload: UploadedFile) -> Response:
    """The dry run: every row checked and what would change counted; nothing is written."""
    permissions.require("import_partnerships", actor)
    try:
        _check_upload(upload, lang_of(request))
    except InvalidInput as error:
        return _page(request, 422, errors=[p.reason for p in error.problems])
    assert upload is not None
    token, path = _store(actor, upload)
    try:
        report = _run(session, actor, path, dry_run=True)
    except ImportRefused as refused:
        session.rollback()
        page = _page(request, 422, report=refused.summary, path=path)
        shutil.rmtree(path.parent, ignore_errors=True)  # a refused file is uploaded again once fixed
        return page
    except InvalidInput as error:  # the file cannot be read at all
        session.rollback()
        shutil.rmtree(path.parent, ignore_errors=True)
        return _page(request, 422, report=ImportReport(errors=list(error.problems), dry_run=True), path=None)
    return _page(request, report=report, path=path, token=token)


@router.post("/import/partnerships/confirm", name="staff.import_partnerships")
def confirm(request: Request, session: SessionDep, actor: CurrentUser, form: FormFields) -> Response:
    """The import itself, from the file the preview checked: all rows or none, in this request's
    transaction."""
    permissions.require("import_partnerships", actor)
    _ = translations(lang_of(request)).gettext
    token = form.get("token", "")
    path = _stored(actor, token)
    if path is None:
        return _page(
            request,
            422,
            errors=[_("The uploaded file has expired or was already imported; upload it again.")],
        )
    try:
        report = _run(session, actor, path, dry_run=False)
    except ImportRefused as refused:  # the registry changed since the preview
        session.rollback()
        return _page(request, 422, report=refused.summary, path=path)
    shutil.rmtree(path.parent, ignore_errors=True)
    counts = {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}
    query = urlencode({"done": 1, **counts, "review": report.review})
    return RedirectResponse(f"/staff/import/partnerships?{query}", status_code=303)
