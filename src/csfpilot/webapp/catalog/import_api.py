"""``/api/instance/frameworks/import`` and ``/api/instance/crosswalks/import``: the
operator's framework and crosswalk imports, for scripts.

The same readers and the same storing as the operator's import page and
``csfpilot import-framework``: the format is recognised from the content, a copy
of NIST's Core is compared with NIST's (``core_copy`` says what to do when it
differs), a crosswalk is linked to the loaded frameworks and refused (400, naming
the framework) when one of them is not loaded. Everything is stored in one
transaction or nothing is.

Two steps: without ``apply`` (the default) the import runs and is rolled back,
and the answer lists what would be loaded and the warnings; with
``apply=true`` the same file is stored and the import is recorded in the
instance's audit chain. Sending the same file again changes nothing.

Who may: the instance's operator only (see ``accounts/api_auth.operator_auth``);
a framework release is shared by every organization of the instance. The file
is refused by its size before it is read: the framework readers' limit, or
``CSFPILOT_MAX_REQUEST_MB`` when that is lower (the page's limit).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router
from ninja.errors import HttpError
from ninja.files import UploadedFile

from csfpilot.core.errors import InputRefused
from csfpilot.formats.detect import DatasetIdentity
from csfpilot.webapp.accounts.api_auth import operator_auth
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.catalog import schemas as s
from csfpilot.webapp.catalog import services
from csfpilot.webapp.catalog.import_views import upload_limit
from csfpilot.webapp.config.api import problem
from csfpilot.webapp.organizations.permissions import OPERATOR, needs

router = Router(tags=["catalog import"], auth=operator_auth)

ANSWERS: dict[int, Any] = {400: s.ImportRefused, 413: s.Problem}


def answers(view: Callable[..., Any]) -> Callable[..., Any]:
    """A refused file → 400 naming file, line or JSON path, element and field; nothing stored."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return view(request, *args, **kwargs)
        except InputRefused as exc:
            body = s.refused(exc)
            errors = [e.model_dump() for e in body.errors]
            return problem(request, 400, body.title, body.detail, errors)

    return wrapper


def _read(upload: UploadedFile) -> bytes:
    """The upload's bytes, refused (413) by its size before it is read into memory."""
    limit = upload_limit()
    name = upload.name or "upload"
    if upload.size is not None and upload.size > limit:
        raise HttpError(413, f"{name}: the file has {upload.size:,} bytes; the limit is {limit:,}")
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise HttpError(413, f"{name}: the file has more than {limit:,} bytes")
    return data


def _answer(
    report: services.LoadReport, *, file: str, applied: bool
) -> tuple[int, s.FrameworkImportOut]:
    body = s.import_out(report, file=file, applied=applied)
    return (201 if applied and report.created else 200), body


def _run(request: HttpRequest, upload: UploadedFile, apply: bool, **options: Any) -> Any:
    data = _read(upload)
    file = (upload.name or "upload")[:255]
    report = services.import_file(
        data,
        name=file,
        who=audit.user_actor(request.user),
        check_only=not apply,
        **options,
    )
    return _answer(report, file=file, applied=apply)


def _identity(name: str, publisher: str, terms: str, reviewed_by: str) -> DatasetIdentity:
    for field, value, most in (
        ("name", name, 300),
        ("publisher", publisher, 200),
        ("reviewed_by", reviewed_by, 200),
    ):
        if len(value) > most:
            raise InputRefused(f"at most {most} characters", field=field)
    return DatasetIdentity(name=name, publisher=publisher, terms=terms, reviewed_by=reviewed_by)


@router.post(
    "/instance/frameworks/import",
    response={200: s.FrameworkImportOut, 201: s.FrameworkImportOut, **ANSWERS},
    summary="Import a framework file (preview unless apply=true)",
    openapi_extra=needs(OPERATOR),
)
@answers
def import_framework(
    request: HttpRequest,
    file: File[UploadedFile],
    apply: Form[bool] = False,
    core_copy: Form[str] = "",
    key: Form[str] = "",
    version: Form[str] = "",
    name: Form[str] = "",
    publisher: Form[str] = "",
    terms: Form[str] = "",
    reviewed_by: Form[str] = "",
) -> Any:
    """Any framework or crosswalk file csfpilot reads (NIST's CSF and SP 800-53 files, OSCAL
    catalogs, profiles and mapping collections, CISO Assistant libraries, CSV or Excel).

    ``core_copy``: when the file is a copy of NIST's Core that differs from NIST's,
    ``official`` maps it onto NIST's elements and ``separate`` keeps it as a framework of its
    own; empty refuses it with the differences. ``key`` stores a framework under another key,
    ``version`` marks it as another release (``2.1`` → ``csf-2.1``). ``name``, ``publisher``,
    ``terms`` and ``reviewed_by`` name a crosswalk the file holds."""
    return _run(
        request,
        file,
        apply,
        core_copy=core_copy.strip() or None,
        key=key.strip() or None,
        version=version.strip() or None,
        dataset=_identity(name, publisher, terms, reviewed_by),
    )


@router.post(
    "/instance/crosswalks/import",
    response={200: s.FrameworkImportOut, 201: s.FrameworkImportOut, **ANSWERS},
    summary="Import a crosswalk file (preview unless apply=true)",
    openapi_extra=needs(OPERATOR),
)
@answers
def import_crosswalk(
    request: HttpRequest,
    file: File[UploadedFile],
    apply: Form[bool] = False,
    name: Form[str] = "",
    publisher: Form[str] = "",
    terms: Form[str] = "",
    reviewed_by: Form[str] = "",
    version: Form[str] = "",
) -> Any:
    """A crosswalk between two loaded frameworks: a framework library's mapping sets (CISO
    Assistant), an OSCAL 1.2 mapping collection, or csfpilot's own crosswalk CSV, Excel or
    OSCAL export. It becomes a named dataset with its publisher, terms and reviewer; a file
    that holds a framework is refused (import it as a framework), and a crosswalk naming a
    framework that is not loaded answers 400 naming that framework."""
    return _run(
        request,
        file,
        apply,
        dataset=_identity(name, publisher, terms, reviewed_by),
        version=version.strip() or None,
        crosswalks_only=True,
    )
