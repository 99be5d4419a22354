"""The guided questionnaire: one outcome (or one Category) at a time, saved as you answer.

For each outcome the page shows NIST's outcome statement with its
Implementation Examples and informative references as help, and asks for the
Current and the Target level on the profile's scale, a priority, an owner and
the notes behind the answer. Every change is saved on its own (HTMX posts the
outcome's form a moment after the last keystroke or click) against the
outcome's ``version``; a save based on an older version is refused and the
page shows what the other person saved instead of overwriting it.

The page opens at the first outcome not yet answered, so an assessment can be
left and resumed. Without JavaScript every part still works: levels are radio
buttons, moving is a link, and the form has a Save button.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from csfpilot.core.errors import InputRefused
from csfpilot.core.profiles import ProfileKind, Scale, Side, key_of_level
from csfpilot.webapp.evidence import outcome_panel
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import fragments, page_queries, queries, services, storage
from csfpilot.webapp.profiles.conflicts import StaleEdit
from csfpilot.webapp.profiles.forms import OutcomeForm
from csfpilot.webapp.profiles.labels import PRIORITY_LABELS, field_label, level_help, level_label
from csfpilot.webapp.profiles.page_cache import kept_page
from csfpilot.webapp.profiles.questionnaire_page import QuestionnairePage
from csfpilot.webapp.profiles.views import profile_context, profile_page


def dom_id(code: str) -> str:
    """An element id for an outcome that CSS selectors accept (no dots)."""
    return code.replace(".", "-")


@dataclass(frozen=True)
class LevelOption:
    value: str
    label: str
    help: str
    hotkey: str
    current: bool
    target: bool


@dataclass
class AnswerCard:
    """Everything one outcome's form shows: the question, the answer, the help, the state."""

    view: queries.OutcomeView
    form: OutcomeForm
    options: list[LevelOption]
    help: page_queries.OutcomeHelp
    category_title: str
    community: bool
    reload_url: str = ""
    saved_at: datetime | None = None
    conflict: list[dict[str, Any]] = field(default_factory=list)
    conflict_error: StaleEdit | None = None
    error: str = ""
    evidence: Any = None  # the outcome's evidence panel (evidence.outcome_panel)

    @property
    def dom(self) -> str:
        return dom_id(self.view.code)

    @property
    def sides(self) -> list[tuple[str, str, str]]:
        """The sides asked for: (name, label, what it means); a Community Profile has targets."""
        target = ("target", _("Target"), _("Where it must be"))
        if self.community:
            return [target]
        return [("current", _("Current"), _("Where the organization stands today")), target]

    @property
    def current_none(self) -> bool:
        return not any(o.current for o in self.options)

    @property
    def target_none(self) -> bool:
        return not any(o.target for o in self.options)

    @property
    def has_notes(self) -> bool:
        entry = self.view.entry
        return bool(
            entry.rationale
            or entry.notes
            or entry.current_details.practices
            or entry.current_details.evidence
        )

    @property
    def answered(self) -> bool:
        return _answered(self.view.row, self.community)


def _answered(row: Any, community: bool) -> bool:
    """Both sides rated (the target only, on a Community Profile), or left out of scope."""
    if not row.included:
        return True
    if community:
        return row.target is not None
    return row.current is not None and row.target is not None


def _options(scale: Scale, current: Any, target: Any) -> list[LevelOption]:
    keys = key_of_level(scale)
    return [
        LevelOption(
            value=str(level.key),
            label=level_label(scale, level.key),
            help=level_help(scale, level.key),
            hotkey=keys.get(str(level.key), ""),
            current=current is not None and str(current) == str(level.key),
            target=target is not None and str(target) == str(level.key),
        )
        for level in scale.levels
    ]


def _card(
    view: queries.OutcomeView,
    scale: Scale,
    help: page_queries.OutcomeHelp,
    category_title: str,
    *,
    community: bool,
    can_assign: bool,
    reload_url: str,
    form: OutcomeForm | None = None,
) -> AnswerCard:
    if form is None:
        values = services.outcome_values(view.row)
        form = OutcomeForm(
            initial=OutcomeForm.initial_from(values, view.version),
            scale=scale,
            code=view.code,
            community=community,
            can_assign=can_assign,
        )
    if not view.can_edit:
        for f in form.fields.values():
            f.disabled = True
    current = view.entry.current.key if view.entry.current else None
    target = view.entry.target.key if view.entry.target else None
    if form.is_bound:
        current = form.data.get("current") or None
        target = form.data.get("target") or None
    return AnswerCard(
        view=view,
        form=form,
        options=_options(scale, current, target),
        help=help,
        category_title=category_title,
        community=community,
        reload_url=reload_url,
        saved_at=view.row.updated_at if view.row.version > 1 else None,
    )


def _url(access: Access, pk: int, **params: str) -> str:
    base = reverse("profiles:assess", args=[access.organization.slug, pk])
    query = {k: v for k, v in params.items() if v}
    return f"{base}?{urlencode(query)}" if query else base


@profile_page(Permission.VIEW)
@require_GET
@kept_page("questionnaire", catalog=True)
def assess(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    """The questionnaire page: ``?outcome=GV.OC-01`` or ``?mode=category&category=GV.OC``."""
    page = QuestionnairePage(access, pk)
    community = page.community
    mode = "category" if request.GET.get("mode") == "category" else "outcome"
    code = (request.GET.get("outcome") or "").strip()
    category = (request.GET.get("category") or "").strip()
    all_done = False
    if mode == "category" and category:
        group = page.framework.group(category)
        if group is None or group.level != page.category_level:
            code = ""
            category = ""
    if not code and not category:
        sides = [Side.TARGET] if community else [Side.CURRENT, Side.TARGET]
        for side in sides:
            code = page.next_unanswered(side) or ""
            if code:
                break
        if not code:
            all_done = True
            code = page.codes[0] if page.codes else ""
    if mode == "category":
        if code:
            category = page.outcome(code).category
        shown = page.in_category(category)
    else:
        shown = [page.outcome(code)]
    return render(
        request,
        "profiles/assess.html",
        _page_context(request, access, page, shown, mode, category, code, all_done),
    )


def _page_context(
    request: HttpRequest,
    access: Access,
    page: QuestionnairePage,
    shown: list[queries.OutcomeView],
    mode: str,
    category: str,
    code: str,
    all_done: bool,
    cards: list[AnswerCard] | None = None,
) -> dict[str, Any]:
    pk = page.profile.pk
    community = page.community
    scale = page.scale
    can_assign = access.can(Permission.EDIT_PROFILES)
    if cards is None:
        help_by_code = page_queries.outcome_help(page.profile.framework, [o.code for o in shown])
        cards = [
            _card(
                o,
                scale,
                help_by_code[o.code],
                page.framework.text(o.category),
                community=community,
                can_assign=can_assign,
                reload_url=_reload_url(access, pk, o, mode),
            )
            for o in shown
        ]
    # One read of the profile's evidence states per page, whatever the number of cards.
    panels, evidence_shared = outcome_panel.for_cards(
        access,
        page.profile,
        [(c.view.code, c.view.row.owner_id) for c in cards],
        # The states of the outcomes shown only: no work for the other outcomes.
        ratings={c.view.code: c.view.row.current for c in cards if c.view.row.included},
    )
    for card in cards:
        card.evidence = panels.get(card.view.code)
    codes = page.codes
    if mode == "category":
        categories = page.category_codes()
        i = categories.index(category) if category in categories else 0
        prev_url = _url(access, pk, mode="category", category=categories[i - 1]) if i > 0 else ""
        next_url = (
            _url(access, pk, mode="category", category=categories[i + 1])
            if i + 1 < len(categories)
            else ""
        )
        position = (i + 1, len(categories))
    else:
        i = codes.index(code)
        prev_url = _url(access, pk, outcome=codes[i - 1]) if i > 0 else ""
        next_url = _url(access, pk, outcome=codes[i + 1]) if i + 1 < len(codes) else ""
        position = (i + 1, len(codes))
    return {
        **profile_context(access, page.profile, "assess"),
        "cards": cards,
        "nav_html": fragments.fragment(
            page.figures.answers,
            "outcome-nav",
            (mode, category if mode == "category" else code),
            "profiles/_outcome_nav.html",
            lambda: {"nav": _nav(page.detail, mode, category, code, community)},
        ),
        "mode": mode,
        "compact": mode == "category",
        "category": category,
        "category_title": page.framework.text(category) if category else "",
        "code": code,
        "all_done": all_done,
        "prev_url": prev_url,
        "next_url": next_url,
        "position": position,
        "outcome_url": _url(access, pk, outcome=cards[0].view.code if cards else code),
        "category_url": _url(
            access, pk, mode="category", category=cards[0].view.category if cards else category
        ),
        "progress_html": fragments.progress(
            page.figures.answers, page.progress, community=community
        ),
        "community": community,
        "hotkeys": [o for o in cards[0].options] if cards else [],
        "member_emails": page_queries.member_emails(access) if can_assign else [],
        "priority_labels": PRIORITY_LABELS,
        **evidence_shared,
    }


def _nav(
    detail: queries.ProfileDetail, mode: str, category: str, code: str, community: bool
) -> list[dict[str, Any]]:
    """The outcome list beside the questionnaire, ready to print: 106 links render fast
    only when the template has nothing left to decide."""
    answered, to_answer = _("answered"), _("to answer")
    out = []
    for fn, outcomes in detail.groups(detail.framework.group_levels[0]):
        items = []
        for o in outcomes:
            done = _answered(o.row, community)
            dom = dom_id(o.code)
            if mode == "category":
                href = f"?mode=category&category={o.category}#card-{dom}"
                current = "true" if o.category == category else ""
            else:
                href = f"?outcome={o.code}"
                current = "page" if o.code == code else ""
            items.append(
                {
                    "code": o.code,
                    "title": detail.framework.text(o.code),
                    "dom": dom,
                    "href": href,
                    "current": current,
                    "state": "done" if done else "todo",
                    "state_text": answered if done else to_answer,
                }
            )
        out.append({"group": fn, "items": items})
    return out


def _reload_url(access: Access, pk: int, view: queries.OutcomeView, mode: str) -> str:
    if mode == "category":
        return (
            _url(access, pk, mode="category", category=view.category) + f"#card-{dom_id(view.code)}"
        )
    return _url(access, pk, outcome=view.code)


def _differs(stored: Any, posted: Any) -> bool:
    if isinstance(stored, list | tuple) or isinstance(posted, list | tuple):
        return list(stored or []) != list(posted or [])
    if stored in (None, "") and posted in (None, ""):
        return False
    return stored != posted


def show_value(scale: Scale, name: str, value: Any) -> str:
    """A stored or posted value as the conflict message shows it."""
    if value is None or value == "" or value == []:
        return _("(empty)")
    if name in ("current", "target"):
        return level_label(scale, value)
    if name in ("priority", "current_priority"):
        return str(PRIORITY_LABELS.get(value, value)) if isinstance(value, str) else str(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return "\n".join(str(v) for v in value)
    return str(value)


def conflict_rows(scale: Scale, exc: StaleEdit) -> list[dict[str, Any]]:
    return [
        {
            "field": field_label(name),
            "theirs": show_value(scale, name, theirs),
            "yours": show_value(scale, name, yours),
        }
        for name, (theirs, yours) in exc.differences().items()
        if name != "owner_id"
    ]


@profile_page(Permission.VIEW)
@require_http_methods(["GET", "POST"])
def assess_save(request: HttpRequest, access: Access, pk: int, code: str) -> HttpResponse:
    """Save one outcome's answer: the autosave target of the questionnaire form.

    A save refused without JavaScript shows the questionnaire at this address, so
    a reload or a bookmark asks for it with GET: that opens the questionnaire at
    the outcome instead of a blank "method not allowed".

    Only the fields that differ from what is stored are sent to the service,
    so a save never rewrites what the person did not touch. With HTMX the
    answer is a set of out-of-band updates (the new version, the saved state,
    the outcome's mark in the list, the progress bars); without it, the page
    reloads at the same outcome.
    """
    # Found in the caller's organization first, so another tenant's id is a 404 either way.
    profile_row, row = page_queries.outcome_row(access, pk, code)
    if request.method == "GET":
        return redirect(_url(access, pk, outcome=code))
    community = profile_row.kind == ProfileKind.COMMUNITY.value
    scale = storage.scale_of(profile_row)
    form = OutcomeForm(
        request.POST,
        scale=scale,
        code=code,
        community=community,
        can_assign=access.can(Permission.EDIT_PROFILES),
    )
    status = 200
    conflict: StaleEdit | None = None
    error = ""
    if not form.is_valid():
        status = 400
        error = "; ".join(
            f"{form.fields[name].label}: {' '.join(errs)}"
            if name in form.fields
            else " ".join(errs)
            for name, errs in form.errors.items()
        )
    else:
        stored = services.outcome_values(row)
        changes = {k: v for k, v in form.values().items() if _differs(stored.get(k), v)}
        version = form.cleaned_data["version"]
        try:
            if changes:
                row = services.update_outcome(access, pk, code, changes, expected_version=version)
        except StaleEdit as exc:
            conflict, status = exc, 409
        except InputRefused as exc:
            error, status = exc.message, 400
    if not request.htmx:
        if status == 200:
            messages.success(request, _("%(code)s is saved.") % {"code": code})
            category = request.POST.get("category", "")
            params = {"mode": "category", "category": category} if category else {"outcome": code}
            return redirect(_url(access, pk, **params) + f"#card-{dom_id(code)}")
        return _full_page_after_refusal(request, access, pk, code, form, conflict, error, status)
    return render(
        request,
        "profiles/_saved.html",
        {
            "code": code,
            "dom": dom_id(code),
            "version": row.version if conflict is None else None,
            "saved_at": timezone.localtime(row.updated_at) if status == 200 else None,
            "answered": _answered(row, community) if status == 200 else None,
            "conflict": conflict,
            "conflict_rows": conflict_rows(scale, conflict) if conflict else [],
            "error": error,
            "progress": queries.progress(access, pk) if status == 200 else None,
            "access": access,
            "profile": profile_row,
            "community": community,
            "reload_url": _url(
                access,
                pk,
                **(
                    {"mode": "category", "category": request.POST["category"]}
                    if request.POST.get("category")
                    else {"outcome": code}
                ),
            ),
        },
        status=status,
    )


def _full_page_after_refusal(
    request: HttpRequest,
    access: Access,
    pk: int,
    code: str,
    form: OutcomeForm,
    conflict: StaleEdit | None,
    error: str,
    status: int,
) -> HttpResponse:
    """Without JavaScript, a refused save shows the questionnaire again with the message
    and the person's unsaved answer still in the form."""
    page = QuestionnairePage(access, pk)
    view = page.outcome(code)
    help_by_code = page_queries.outcome_help(page.profile.framework, [code])
    card = _card(
        view,
        page.scale,
        help_by_code[code],
        page.framework.text(view.category),
        community=page.community,
        can_assign=access.can(Permission.EDIT_PROFILES),
        reload_url=_url(access, pk, outcome=code),
        form=form,
    )
    card.error = error
    if conflict is not None:
        card.conflict = conflict_rows(page.scale, conflict)
        card.conflict_error = conflict
    context = _page_context(request, access, page, [view], "outcome", "", code, False, cards=[card])
    return render(request, "profiles/assess.html", context, status=status)
