"""``csfpilot report brief|workpaper``: reports from a profile file or from the database.

With ``--profile FILE`` the report is made from a profile file alone — no
server, no database — with the NIST Core shipped in csfpilot (its release and
SHA-256 go into the report's provenance) and, for the trend, any snapshots
given with ``--snapshot``. With ``--org`` the profile is one of the
organization's in csfpilot's database (by id or name), with its snapshots and
the organization's own report template, as the web app makes it; that mode
acts as the instance's operator, like ``csfpilot profile export``.
"""

from __future__ import annotations

import gettext as stdlib_gettext
import sys
from datetime import UTC, date, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated

import typer

import csfpilot
from csfpilot.cli import database
from csfpilot.cli.exporting import _write as write_atomically  # the CLI's one binary writer
from csfpilot.cli.output import announce, reported_errors
from csfpilot.cli.profile_transfer import run_transfer
from csfpilot.core.crosswalks import CombineRule
from csfpilot.core.errors import InputRefused
from csfpilot.formats.native import MAX_PROFILE_BYTES, format_of, read_profile
from csfpilot.formats.native.files import framework_key_of
from csfpilot.formats.native.reference import bundled_reference
from csfpilot.formats.safe_json import read_limited
from csfpilot.reports.branding import Branding, logo_data_uri
from csfpilot.reports.model import Provenance, Report, build_report
from csfpilot.reports.render import (
    FORMATS,
    MAX_TEMPLATE_BYTES,
    SUFFIXES,
    check_format,
    render,
)
from csfpilot.reports.transfers import TransferView
from csfpilot.reports.words import translated

app = typer.Typer(
    help="Board briefs and auditors' workpapers as HTML, PDF, XLSX, Markdown or DOCX.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
LOCALE = Path(csfpilot.__file__).parent / "webapp" / "locale"


class Fmt(StrEnum):
    HTML = "html"
    PDF = "pdf"
    XLSX = "xlsx"
    MD = "md"
    DOCX = "docx"


class Lang(StrEnum):
    EN = "en"
    ZH_HANT = "zh-Hant"


ProfileOpt = Annotated[
    str,
    typer.Option(
        "--profile",
        "-p",
        help="A profile file (.yaml, .yml, .json); with --org, a profile's id or name.",
        show_default=False,
    ),
]
OrgOpt = Annotated[
    str | None,
    typer.Option("--org", help="Read the profile from this organization in the database."),
]
FormatOpt = Annotated[
    Fmt | None,
    typer.Option("--format", "-f", help="Default: from the output file's suffix, else html."),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="File to write; HTML and Markdown go to standard output without it."
    ),
]
SnapshotOpt = Annotated[
    list[Path] | None,
    typer.Option("--snapshot", help="A snapshot file of the profile, for the trend (repeatable)."),
]
TemplateOpt = Annotated[
    Path | None,
    typer.Option("--template", help="Your own HTML template (Jinja2, sandboxed) for HTML/PDF."),
]
LogoOpt = Annotated[Path | None, typer.Option("--logo", help="A PNG or JPEG logo.")]
PrimaryOpt = Annotated[str | None, typer.Option("--primary", help="Main colour, #rrggbb.")]
AccentOpt = Annotated[str | None, typer.Option("--accent", help="Accent colour, #rrggbb.")]
LangOpt = Annotated[Lang, typer.Option("--lang", help="Language of the report's own words.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace an existing output file.")]


@cache
def _words(lang: str) -> dict[str, str] | None:
    """The report's words in ``lang`` from the web app's compiled catalogue, or English."""
    if lang == Lang.EN:
        return None
    catalogue = stdlib_gettext.translation(
        "django", localedir=LOCALE, languages=[lang.replace("-", "_")], fallback=True
    )
    return translated(catalogue.gettext, catalogue.pgettext)


def _from_file(
    path: Path, kind: str, snapshots: list[Path], lang: str, transfer_to: list[str] | None = None
) -> Report:
    data = read_limited(path, name=str(path), max_bytes=MAX_PROFILE_BYTES)
    ref = bundled_reference(framework_key_of(data, name=str(path), fmt=format_of(path)))

    def load(p: Path):
        return read_profile(p, framework=ref.framework, withdrawals=ref.withdrawals).profile

    profile = load(path)
    history = []
    for snap in snapshots:
        earlier = load(snap)
        if earlier.snapshot is None:
            raise InputRefused("is not a snapshot (it has no 'snapshot' date)", file=str(snap))
        history.append(earlier)
    info = ref.catalog.info
    views = []
    for key in transfer_to or []:
        done = run_transfer(profile, key, [], CombineRule.WEAKEST, "same")
        target = bundled_reference(key)
        views.append(
            TransferView(
                done,
                f"{target.catalog.info.name} {target.catalog.info.version}",
                target.framework.texts,
            )
        )
    return build_report(
        profile,
        ref.framework,
        kind=kind,
        provenance=Provenance(
            info.key,
            info.name,
            info.version,
            info.publisher,
            info.source_file,
            info.source_sha256,
        ),
        history=history,
        today=date.today(),
        generated=datetime.now(UTC),
        language=lang,
        words=_words(lang),
        transfers=views,
    )


def _read_template(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputRefused(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    if len(data) > MAX_TEMPLATE_BYTES:
        raise InputRefused(f"the template has more than {MAX_TEMPLATE_BYTES} bytes", file=str(path))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputRefused(
            f"the template is not UTF-8 text (byte {exc.start})", file=str(path)
        ) from None


def _make(
    kind: str,
    profile: str,
    org: str | None,
    fmt: Fmt | None,
    output: Path | None,
    snapshots: list[Path] | None,
    template: Path | None,
    logo: Path | None,
    primary: str | None,
    accent: str | None,
    lang: Lang,
    force: bool,
    transfer_to: list[str] | None = None,
) -> None:
    with reported_errors():
        chosen = fmt.value if fmt else None
        if chosen is None and output is not None:
            chosen = SUFFIXES.get(output.suffix.lower())
            if chosen is None:
                raise InputRefused(
                    f"cannot tell the format from {output.suffix or 'no suffix'!r}; "
                    f"pass --format ({', '.join(FORMATS)})",
                    file=str(output),
                )
        chosen = chosen or "html"
        spec = check_format(kind, chosen)
        if output is None and spec.binary:
            raise InputRefused(f"a {chosen.upper()} report needs --output FILE", field="output")
        if output is not None and output.exists() and not force:
            raise InputRefused("exists; pass --force to replace it", file=str(output))
        if org and snapshots:
            raise InputRefused(
                "--snapshot is for profile files; the database has the profile's snapshots",
                field="snapshot",
            )
        source = _read_template(template) if template is not None else None
        if org and transfer_to:
            raise InputRefused(
                "--transfer-to works on profile files; for a stored profile choose the "
                "frameworks on the report page or in the API",
                field="transfer-to",
            )
        if org:
            database.ready(announce)
            report, stored = database.report(org, profile, kind, lang.value)
            if source is None and stored is not None:
                source = stored
        else:
            report = _from_file(Path(profile), kind, snapshots or [], lang.value, transfer_to)
        if logo is not None or primary or accent:
            current = report.branding
            logo_uri = current["logo"]
            if logo is not None:
                try:
                    logo_uri = logo_data_uri(logo.read_bytes(), name=str(logo))
                except OSError as exc:
                    raise InputRefused(
                        f"cannot read: {exc.strerror or exc}", file=str(logo)
                    ) from None
            report = report.with_branding(
                Branding(
                    logo=logo_uri,
                    primary=primary or current["primary"],
                    accent=accent or current["accent"],
                )
            )
        data = render(report, chosen, template=source, template_name=str(template or "template"))
        if output is None:
            sys.stdout.write(data.decode("utf-8"))
            sys.stdout.flush()
            return
        try:
            write_atomically(data, output)
        except OSError as exc:
            raise InputRefused(f"cannot write: {exc.strerror or exc}", file=str(output)) from None
    announce(f"Wrote {output} ({len(data):,} bytes)")


TransferToOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--transfer-to",
        help="Add a section (a sheet in XLSX) with the results transferred to this "
        "framework through the shipped crosswalks, e.g. sp800-53r5 (repeatable).",
    ),
]


@app.command()
def brief(
    profile: ProfileOpt,
    org: OrgOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    snapshot: SnapshotOpt = None,
    template: TemplateOpt = None,
    logo: LogoOpt = None,
    primary: PrimaryOpt = None,
    accent: AccentOpt = None,
    lang: LangOpt = Lang.EN,
    force: ForceOpt = False,
    transfer_to: TransferToOpt = None,
) -> None:
    """The board brief: Tiers, score per Function, top gaps, trend, plan progress (1–2 pages).

    With --transfer-to, a section per framework follows the brief's own pages with the results
    transferred to it: proposed values, coverage and the crosswalk datasets (docs/transfer.md).
    """
    _make(
        "brief",
        profile,
        org,
        fmt,
        output,
        snapshot,
        template,
        logo,
        primary,
        accent,
        lang,
        force,
        transfer_to,
    )


@app.command()
def workpaper(
    profile: ProfileOpt,
    org: OrgOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    snapshot: SnapshotOpt = None,
    template: TemplateOpt = None,
    logo: LogoOpt = None,
    primary: PrimaryOpt = None,
    accent: AccentOpt = None,
    lang: LangOpt = Lang.EN,
    force: ForceOpt = False,
    transfer_to: TransferToOpt = None,
) -> None:
    """The detailed workpaper: every outcome, gaps, the full plan, method and provenance.

    With --transfer-to, one more section per framework shows the results transferred
    to it: proposed values, coverage and the crosswalk datasets (docs/transfer.md).
    """
    _make(
        "workpaper",
        profile,
        org,
        fmt,
        output,
        snapshot,
        template,
        logo,
        primary,
        accent,
        lang,
        force,
        transfer_to,
    )
