"""Text-line evidence and library references, as profile files carry them.

NIST's template column "Artifacts and Evidence" lives on in every profile
file and in each outcome's ``current_evidence`` / ``target_evidence`` text.
When a file (or an edit) brings lines, :func:`adopt_lines` finds or creates
the library item each line names (see :mod:`csfpilot.core.evidence.lines`) and
links it to the outcome on the same side, in the caller's transaction; the
text stays as written. :func:`match_refs` re-links a file's ``evidence_items``
references by id and hash, and reports those not in this library — it never
creates an item from a reference. :func:`exported` gives the profile as it is
written to a file: each side's lines plus a line for every linked item no
line names yet, and the references of its links.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from django.db import transaction
from django.utils import timezone

from csfpilot.core.evidence import EvidenceKind, EvidenceRef
from csfpilot.core.evidence.lines import LineItem, content_hash, line_of, read_line
from csfpilot.core.profiles import Profile, Side
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.evidence import queries
from csfpilot.webapp.organizations.permissions import Access, PermissionMissing
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import models as pm

SIDES = (m.Side.CURRENT.value, m.Side.TARGET.value)


def _flat(text: str) -> str:
    return " ".join(text.split())


class Library:
    """The live items of one organization, keyed by what a line or reference names."""

    def __init__(self, organization_id: int) -> None:
        self.organization_id = organization_id
        self.by_url: dict[str, int] = {}
        self.by_statement: dict[str, int] = {}
        self.by_sha: dict[str, int] = {}
        rows = (
            m.EvidenceVersion.objects.filter(
                item__organization_id=organization_id, item__retired_at__isnull=True
            )
            .order_by("item_id", "number")
            .values_list("item_id", "url", "statement", "stored_file__sha256")
        )
        for item_id, url, statement, sha in rows:
            if url:
                self.by_url.setdefault(url, item_id)
            if statement:
                self.by_statement.setdefault(_flat(statement), item_id)
            if sha:
                self.by_sha.setdefault(sha, item_id)

    def find(self, named: LineItem) -> int | None:
        if named.form == "link":
            return self.by_url.get(named.url)
        if named.form == "file":
            return self.by_sha.get(named.sha256)
        return self.by_statement.get(named.statement)

    def remember(self, named: LineItem, item_id: int) -> None:
        if named.form == "link":
            self.by_url[named.url] = item_id
        else:
            self.by_statement[named.statement] = item_id


def _create(access: Access, named: LineItem) -> m.EvidenceItem:
    """A link or attestation item for a line; a line naming an unknown file is kept as words."""
    user = access.membership.user_id
    is_link = named.form == "link"
    row = m.EvidenceItem.objects.create(
        organization=access.organization,
        title=named.title,
        kind=(EvidenceKind.OTHER if is_link else EvidenceKind.ATTESTATION).value,
        form=m.Form.LINK if is_link else m.Form.ATTESTATION,
        created_by_id=user,
        updated_by_id=user,
    )
    m.EvidenceVersion.objects.create(
        item=row,
        number=1,
        url=named.url if is_link else "",
        statement="" if is_link else named.statement,
        created_by_id=user,
    )
    return row


def _as_words(named: LineItem) -> LineItem:
    text = line_of("file", named.title, sha256=named.sha256)
    return LineItem("attestation", named.title, statement=text)


@dataclass
class Adopted:
    """What adopting lines did: items created and links made, for the audit event."""

    items: list[audit.Item]
    links: int = 0


def _adopt(
    access: Access,
    library: Library,
    outcomes: Mapping[str, pm.ProfileOutcome],
    wanted: Iterable[tuple[str, str, Iterable[str]]],
    done: Adopted,
) -> None:
    linked = set(
        m.EvidenceLink.objects.filter(outcome__in=list(outcomes.values())).values_list(
            "item_id", "outcome_id", "side"
        )
    )
    new_links: list[m.EvidenceLink] = []
    for code, side, lines in wanted:
        outcome = outcomes[code]
        for line in lines:
            named = read_line(line)
            if named is None:
                continue
            item_id = library.find(named)
            if item_id is None and named.form == "file":
                named = _as_words(named)
                item_id = library.find(named)
            if item_id is None:
                row = _create(access, named)
                item_id = row.pk
                library.remember(named, item_id)
                done.items.append(
                    audit.Item(
                        "evidence",
                        row.pk,
                        audit.Action.CREATE,
                        row.title,
                        audit.created({"title": row.title, "form": row.form, "kind": row.kind}),
                    )
                )
            key = (item_id, outcome.pk, side)
            if key in linked:
                continue
            linked.add(key)
            new_links.append(
                m.EvidenceLink(
                    item_id=item_id,
                    outcome=outcome,
                    profile_id=outcome.profile_id,
                    code=outcome.code,
                    side=side,
                    created_by_id=access.membership.user_id,
                )
            )
    m.EvidenceLink.objects.bulk_create(new_links, batch_size=500)
    done.links += len(new_links)


def _require_add(access: Access) -> None:
    if not access.can(Permission.ADD_EVIDENCE):
        raise PermissionMissing(Permission.ADD_EVIDENCE, access.role.value)


def _record(access: Access, profile: pm.Profile, done: Adopted, source: str) -> None:
    if done.items or done.links:
        audit.record_bulk(
            access,
            "profile",
            profile.pk,
            audit.Action.IMPORT,
            done.items,
            label=f"{profile.name}: evidence lines",
            summary={"source": source, "links": done.links},
        )


def adopt_lines(
    access: Access, profile: pm.Profile, code: str, side: str, lines: Iterable[str]
) -> int:
    """Give each evidence line of one outcome side its library item, linked; returns links made.

    Run inside the transaction that stores the lines. Existing items are
    reused (a link by its address, an attestation by its statement, a file by
    its hash); a link already there is kept with its review.
    """
    _require_add(access)
    if side not in SIDES:
        raise ValueError(f"side must be current or target, not {side!r}")
    outcome = pm.ProfileOutcome.objects.get(profile=profile, code=code)
    done = Adopted([])
    with transaction.atomic():
        _adopt(
            access, Library(profile.organization_id), {code: outcome}, [(code, side, lines)], done
        )
        _record(access, profile, done, f"{code} ({side})")
    return done.links


def adopt_profile(access: Access, profile: pm.Profile) -> int:
    """:func:`adopt_lines` for every outcome side of a stored profile (after a file import)."""
    rows = {
        o.code: o
        for o in pm.ProfileOutcome.objects.filter(profile=profile).exclude(
            current_evidence=[], target_evidence=[]
        )
    }
    wanted = [
        (code, side, getattr(o, f"{side}_evidence") or ())
        for code, o in rows.items()
        for side in SIDES
        if getattr(o, f"{side}_evidence")
    ]
    if not wanted:
        return 0
    _require_add(access)
    done = Adopted([])
    with transaction.atomic():
        _adopt(access, Library(profile.organization_id), rows, wanted, done)
        _record(access, profile, done, "profile file")
    return done.links


# -- references in profile files ------------------------------------------------------


def _version_hashes(organization_id: int, item_ids: Iterable[int]) -> dict[tuple[int, int], str]:
    rows = m.EvidenceVersion.objects.filter(
        item__organization_id=organization_id, item_id__in=list(item_ids)
    ).values_list("item_id", "number", "url", "statement", "stored_file__sha256")
    return {
        (item_id, number): content_hash(url=url, statement=statement, sha256=sha or "")
        for item_id, number, url, statement, sha in rows
    }


def match_refs(access: Access, profile: pm.Profile, domain: Profile, *, apply: bool) -> list[str]:
    """Re-link a file's evidence references; the list says which are not in this library.

    A reference matches when this organization has the item ``id`` with a
    version of that ``sha256`` (any version: a newer upload keeps the earlier
    ones). Nothing is created from a reference. ``apply=False`` only reports
    (the import preview).
    """
    wanted = [
        (code, side, ref)
        for code, entry in domain.outcomes.items()
        for side in SIDES
        for ref in entry.details(Side(side)).evidence_items
    ]
    if not wanted:
        return []
    hashes = _version_hashes(profile.organization_id, {ref.id for _, _, ref in wanted})
    known = {(item_id, sha) for (item_id, _), sha in hashes.items()}
    live = set(
        m.EvidenceItem.objects.filter(
            organization_id=profile.organization_id,
            pk__in=[item_id for item_id, _ in known],
            retired_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    missing: list[str] = []
    found: list[tuple[str, str, int]] = []
    for code, side, ref in wanted:
        if (ref.id, ref.sha256) not in known or ref.id not in live:
            title = f" {ref.title!r}" if ref.title else ""
            missing.append(
                f"{code} ({side}): evidence item {ref.id}{title} with sha256 "
                f"{ref.sha256[:12]}… is not in this library"
            )
        else:
            found.append((code, side, ref.id))
    if apply and found:
        _require_add(access)
        outcomes = {
            o.code: o
            for o in pm.ProfileOutcome.objects.filter(
                profile=profile, code__in={c for c, _, _ in found}
            )
        }
        existing = set(
            m.EvidenceLink.objects.filter(profile=profile).values_list("item_id", "code", "side")
        )
        new = [
            m.EvidenceLink(
                item_id=item_id,
                outcome=outcomes[code],
                profile_id=profile.pk,
                code=code,
                side=side,
                created_by_id=access.membership.user_id,
            )
            for code, side, item_id in dict.fromkeys(found)
            if code in outcomes and (item_id, code, side) not in existing
        ]
        m.EvidenceLink.objects.bulk_create(new)
        if new:
            audit.record_bulk(
                access,
                "profile",
                profile.pk,
                audit.Action.IMPORT,
                [
                    audit.Item(
                        "evidence-link",
                        link.pk,
                        audit.Action.CREATE,
                        f"{link.item_id} → {link.code}",
                        audit.created({"item": link.item_id, "outcome": link.code}),
                    )
                    for link in new
                ],
                label=f"{profile.name}: evidence references",
                summary={"source": "profile file"},
            )
    return missing


# -- export ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cited:
    """One linked item as a file cites it: its text line and its reference."""

    line: str
    ref: EvidenceRef
    url: str = ""  # a link item's address


def cited(profile: pm.Profile) -> dict[tuple[str, str], list[Cited]]:
    """Each outcome side's linked live items: their export line and reference (three queries)."""
    links = list(
        m.EvidenceLink.objects.filter(profile=profile, item__retired_at__isnull=True)
        .select_related("item")
        .order_by("code", "side", "item__title", "item_id")
    )
    latest: dict[int, m.EvidenceVersion] = {}
    for version in (
        m.EvidenceVersion.objects.filter(item_id__in={link.item_id for link in links})
        .select_related("stored_file")
        .order_by("item_id", "number")
    ):
        latest[version.item_id] = version
    out: dict[tuple[str, str], list[Cited]] = defaultdict(list)
    for link in links:
        version = latest.get(link.item_id)
        if version is None:
            continue
        item = link.item
        sha = version.stored_file.sha256 if version.stored_file_id else ""
        out[(link.code, link.side)].append(
            Cited(
                line_of(
                    item.form, item.title, url=version.url, sha256=sha, statement=version.statement
                ),
                EvidenceRef(
                    id=item.pk,
                    version=version.number,
                    sha256=content_hash(url=version.url, statement=version.statement, sha256=sha),
                    title=item.title,
                    kind=item.kind,
                    review=link.review,
                    valid_until=item.expires_on,
                ),
                version.url,
            )
        )
    return out


def exported(
    profile: pm.Profile,
    domain: Profile,
    *,
    lines: bool = True,
    by_side: dict[tuple[str, str], list[Cited]] | None = None,
) -> Profile:
    """``domain`` as a file carries it: lines for linked items, and their references.

    A side keeps its stored lines; each linked item whose line is not among
    them adds its line, so that a file imported and exported again is the
    same. ``lines=False`` adds the references only (a snapshot keeps the text
    as it was, and cites the items beside it).
    """
    by_side = cited(profile) if by_side is None else by_side
    if not by_side:
        return domain
    outcomes = dict(domain.outcomes)
    for (code, side), entries in by_side.items():
        entry = outcomes.get(code)
        if entry is None:
            continue
        details = entry.details(Side(side))
        have = {" ".join(line.split()) for line in details.evidence}
        extra = tuple(c.line for c in entries if lines and c.line not in have)
        details = replace(
            details,
            evidence=details.evidence + extra,
            evidence_items=tuple(c.ref for c in entries),
        )
        field = "current_details" if side == m.Side.CURRENT else "target_details"
        outcomes[code] = replace(entry, **{field: details})
    return replace(domain, outcomes=outcomes)


def record_citations(snapshot: pm.Snapshot, by_side: dict[tuple[str, str], list[Cited]]) -> int:
    """Record which item versions a new snapshot cites; those items can never be removed."""
    versions = {(c.ref.id, c.ref.version) for entries in by_side.values() for c in entries}
    if not versions:
        return 0
    ids = dict(
        (
            (item_id, number),
            pk,
        )
        for pk, item_id, number in m.EvidenceVersion.objects.filter(
            item_id__in={i for i, _ in versions}
        ).values_list("pk", "item_id", "number")
    )
    rows = [
        m.SnapshotEvidence(snapshot=snapshot, item_id=item_id, version_id=ids[(item_id, number)])
        for item_id, number in sorted(versions)
    ]
    m.SnapshotEvidence.objects.bulk_create(rows)
    return len(rows)


# -- OSCAL ----------------------------------------------------------------------------------


def item_path(organization_slug: str, item_id: int) -> str:
    """Where an item lives in the app: the organization's evidence page for it.

    Only that page (behind the organization's permissions) serves the file;
    an exported document names the path, never the file itself.
    """
    return f"/orgs/{organization_slug}/evidence/{item_id}/"


def href_for(
    profile: pm.Profile, by_side: dict[tuple[str, str], list[Cited]]
) -> Callable[[EvidenceRef], str]:
    """An OSCAL ``href`` for each cited item: a link item's address, else its page."""
    urls = {c.ref.id: c.url for entries in by_side.values() for c in entries if c.url}
    slug = profile.organization.slug

    def href(ref: EvidenceRef) -> str:
        return urls.get(ref.id) or item_path(slug, ref.id)

    return href


def scan_tallies(profile: pm.Profile) -> dict[str, tuple[int, int, int]]:
    """The newest scans' ``(passed, failed, serious)`` per outcome of the profile."""
    states = queries.profile_states(profile, today=timezone.localdate())
    return {
        code: (s.passing, s.failing, s.serious)
        for code, s in states.items()
        if s.passing or s.failing
    }
