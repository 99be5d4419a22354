"""Guest links: how a supplier's contact answers a questionnaire without an account.

The buyer issues a link for one contact's e-mail address. The link holds a random token
(32 bytes); only its SHA-256 is stored, so a copy of the database opens nothing. A link
works for its one questionnaire only, until it expires (``CSFPILOT_SUPPLIER_LINK_DAYS``),
is revoked, or the questionnaire is submitted or closed (then it shows the answers,
read-only, or nothing).

Opening the link is not enough to answer: the contact asks for a six-digit code sent to the
link's address (valid ``CODE_MINUTES``; ``MAX_CODE_FAILURES`` wrong codes void it). The
right code gives the browser a random proof, kept in a cookie scoped to the link's own path
and stored here as a hash: not a Django session, so nothing else of the application trusts
it. Every request of a link is rate-limited (``CSFPILOT_SUPPLIER_GUEST_RATE`` a minute per
link and client address).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from csfpilot.core.errors import ConflictError, InputRefused, NotFound
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles.storage import scale_from_json
from csfpilot.webapp.suppliers import models as m
from csfpilot.webapp.suppliers.services import _need, get_questionnaire, record_results

log = logging.getLogger(__name__)

CODE_MINUTES = 15
MAX_CODE_FAILURES = 5
CODE_RESEND_SECONDS = 30
MAX_TEXT = 10_000


class LinkClosed(Exception):
    """The token is unknown, expired or revoked, or its questionnaire was closed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # unknown | expired | revoked | closed


class TooManyRequests(Exception):
    """The link was used more often than the rate limit allows."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _code_digest(link: m.GuestLink, code: str) -> str:
    # Keyed by the link so that one code's hash says nothing about another link's.
    return hmac.new(link.token_hash.encode(), code.encode(), hashlib.sha256).hexdigest()


def issue_link(
    access: Access,
    questionnaire_id: Any,
    email: str,
    *,
    absolute: Callable[[str], str] = lambda path: path,
) -> tuple[m.GuestLink, str]:
    """A new link for ``email`` to answer the questionnaire, sent to that address.

    Returns the link and its token (shown once to the buyer, who may pass it on another way).
    """
    _need(access, Permission.EDIT_PROFILES)
    email = (email or "").strip()
    if not email or "@" not in email or len(email) > 254:
        raise InputRefused("Enter the contact's e-mail address.", field="email")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        q = get_questionnaire(access, questionnaire_id)
        if not q.open:
            raise ConflictError("The questionnaire is no longer open; send a new one.")
        link = m.GuestLink.objects.create(
            questionnaire=q,
            email=email,
            token_hash=digest(token),
            created_by=access.user if getattr(access.user, "pk", None) else None,
            expires_at=timezone.now() + timedelta(days=settings.CSFPILOT_SUPPLIER_LINK_DAYS),
        )
        audit.record(
            access,
            "supplier-link",
            link.pk,
            audit.Action.CREATE,
            label=f"{q.supplier.name} #{q.cycle}: {email}",
            changes=audit.created({"email": email, "expires": link.expires_at}),
        )
    url = absolute(reverse("suppliers:guest", args=[token]))
    transaction.on_commit(lambda: _send_link(link, q, url))
    return link, token


def revoke_link(access: Access, questionnaire_id: Any, link_id: Any) -> m.GuestLink:
    _need(access, Permission.EDIT_PROFILES)
    with transaction.atomic():
        q = get_questionnaire(access, questionnaire_id)
        try:
            pk = int(link_id)
        except (TypeError, ValueError):
            raise NotFound(f"No link {link_id!r}.") from None
        link = m.GuestLink.objects.select_for_update().filter(pk=pk, questionnaire=q).first()
        if link is None:
            raise NotFound(f"No link {link_id!r}.")
        if link.revoked_at is not None:
            raise ConflictError("The link is already revoked.")
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        audit.record(
            access,
            "supplier-link",
            link.pk,
            audit.Action.REVOKE,
            label=f"{q.supplier.name} #{q.cycle}: {link.email}",
            changes={"revoked": [None, link.revoked_at.isoformat()]},
        )
    return link


def _mail(template: str, to: str, context: dict[str, Any], language: str) -> None:
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}_message.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


def _send_link(link: m.GuestLink, q: m.Questionnaire, url: str) -> None:
    try:
        _mail(
            "suppliers/email/link",
            link.email,
            {
                "q": q,
                "buyer": q.supplier.organization.name,
                "link": url,
                "expires": link.expires_at,
            },
            q.language,
        )
    except Exception:
        # The buyer sees the link once on the page and can pass it on by other means.
        log.exception("Could not send a questionnaire link to %s", link.email)


# -- the guest's side ------------------------------------------------------------------------


def throttle(token: str, client: str) -> None:
    """Count one request of a link from one address; :class:`TooManyRequests` over the rate."""
    limit = settings.CSFPILOT_SUPPLIER_GUEST_RATE
    window = int(timezone.now().timestamp() // 60)
    key = f"supplier-guest:{digest(token)[:32]}:{client}:{window}"
    if cache.add(key, 1, timeout=120):
        return
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=120)
        count = 1
    if count > limit:
        raise TooManyRequests()


def open_link(token: str, *, for_update: bool = False) -> m.GuestLink:
    """The live link of ``token``, or :class:`LinkClosed` saying why not.

    A submitted questionnaire's link still opens (read-only) until it expires or is revoked.
    """
    if not token or len(token) > 100:
        raise LinkClosed("unknown")
    rows = m.GuestLink.objects.select_related("questionnaire__supplier__organization")
    if for_update:
        rows = rows.select_for_update(of=("self",))
    link = rows.filter(token_hash=digest(token)).first()
    if link is None:
        raise LinkClosed("unknown")
    if link.revoked_at is not None:
        raise LinkClosed("revoked")
    if link.expires_at <= timezone.now():
        raise LinkClosed("expired")
    if link.questionnaire.state == m.QuestionnaireState.CLOSED:
        raise LinkClosed("closed")
    return link


def send_code(token: str) -> m.GuestLink:
    """E-mail a fresh verification code to the link's address."""
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        link = open_link(token, for_update=True)
        now = timezone.now()
        if link.code_sent_at and (now - link.code_sent_at).total_seconds() < CODE_RESEND_SECONDS:
            raise ConflictError(
                gettext_noop("A code was sent moments ago; wait half a minute for another.")
            )
        link.code_hash = _code_digest(link, code)
        link.code_sent_at = now
        link.code_failures = 0
        link.save(update_fields=["code_hash", "code_sent_at", "code_failures"])
    q = link.questionnaire
    _mail(
        "suppliers/email/code",
        link.email,
        {"q": q, "buyer": q.supplier.organization.name, "code": code, "minutes": CODE_MINUTES},
        q.language,
    )
    return link


def verify_code(token: str, code: str) -> str:
    """Check the code; returns the browser's proof (to keep in a cookie) or refuses."""
    code = "".join((code or "").split())
    refused = ""
    with transaction.atomic():
        link = open_link(token, for_update=True)
        now = timezone.now()
        live = (
            link.code_hash
            and link.code_sent_at
            and now - link.code_sent_at <= timedelta(minutes=CODE_MINUTES)
            and link.code_failures < MAX_CODE_FAILURES
        )
        if not live:
            refused = gettext_noop("The code has expired; ask for a new one.")
        elif not hmac.compare_digest(link.code_hash, _code_digest(link, code)):
            # Counted in this transaction, which commits: the refusal comes after it.
            link.code_failures += 1
            link.save(update_fields=["code_failures"])
            refused = gettext_noop("That is not the code we sent.")
    if refused:
        raise InputRefused(refused, field="code")
    with transaction.atomic():
        link = open_link(token, for_update=True)
        if not link.code_hash or not hmac.compare_digest(link.code_hash, _code_digest(link, code)):
            raise InputRefused(
                gettext_noop("The code has expired; ask for a new one."), field="code"
            )
        now = timezone.now()
        proof = secrets.token_urlsafe(32)
        link.code_hash = ""  # a code opens one browser, once
        link.verified_at = now
        link.browser_hash = digest(proof)
        link.save(update_fields=["code_hash", "verified_at", "browser_hash"])
        q = link.questionnaire
        audit.append(
            q.organization,
            _guest(link),
            object_type="supplier-link",
            object_id=link.pk,
            action=audit.Action.SIGN_IN,
            label=f"{q.supplier.name} #{q.cycle}: {link.email}",
            changes={"verified": [None, now.isoformat()]},
        )
    return proof


def verified(link: m.GuestLink, proof: str | None) -> bool:
    return bool(
        proof and link.browser_hash and hmac.compare_digest(link.browser_hash, digest(proof))
    )


def _guest(link: m.GuestLink) -> audit.Who:
    # Not an account: the trail names the verified address and how it acted.
    return audit.Who(audit.SYSTEM.kind, None, f"{link.email} (guest link)")


def _editable(token: str, proof: str | None) -> m.GuestLink:
    link = open_link(token, for_update=True)
    if not verified(link, proof):
        raise PermissionError("verify your e-mail address first")
    if not link.questionnaire.open:
        raise ConflictError(gettext_noop("The answers were submitted and can no longer change."))
    return link


def save_answer(
    token: str, proof: str | None, code: str, *, answer: Any, comment: str = "", evidence: str = ""
) -> m.QuestionnaireItem:
    """Store one outcome's answer as given (autosave); the questionnaire is then in progress."""
    if len(comment or "") > MAX_TEXT or len(evidence or "") > MAX_TEXT:
        raise InputRefused(f"at most {MAX_TEXT:,} characters", field="comment")
    with transaction.atomic():
        link = _editable(token, proof)
        q = link.questionnaire
        item = (
            m.QuestionnaireItem.objects.select_for_update()
            .filter(questionnaire=q, code=code)
            .first()
        )
        if item is None:
            raise NotFound(f"{code} is not asked in this questionnaire.")
        scale = scale_from_json(q.scale)
        if answer in (None, ""):
            value = None
        else:
            if isinstance(answer, str) and answer.isdigit() and scale.get(int(answer)):
                answer = int(answer)
            value = scale.level(answer, element=code, field="answer").key
        item.answer = value
        item.comment = comment or ""
        item.evidence = evidence or ""
        item.answered_at = timezone.now()
        item.save(update_fields=["answer", "comment", "evidence", "answered_at"])
        link.last_used_at = item.answered_at
        link.save(update_fields=["last_used_at"])
        if q.state == m.QuestionnaireState.SENT:
            q.state = m.QuestionnaireState.IN_PROGRESS
            q.save(update_fields=["state"])
    return item


def submit(token: str, proof: str | None) -> m.Questionnaire:
    """Submit the answers once; from then on they are read-only and scored for the buyer."""
    with transaction.atomic():
        link = _editable(token, proof)
        q = m.Questionnaire.objects.select_for_update().get(pk=link.questionnaire_id)
        if not q.open:
            raise ConflictError(gettext_noop("The answers were submitted already."))
        missing = q.items.filter(answer__isnull=True).count()
        if missing:
            raise InputRefused(
                gettext_noop(
                    "Some outcomes have no answer yet; answer each one (or choose not "
                    "applicable) before submitting."
                ),
                field="answer",
            )
        q.state = m.QuestionnaireState.SUBMITTED
        q.submitted_at = timezone.now()
        q.submitted_by = link.email
        q.save(update_fields=["state", "submitted_at", "submitted_by"])
        result = record_results(q)
        audit.append(
            q.organization,
            _guest(link),
            object_type="supplier-questionnaire",
            object_id=q.pk,
            action=audit.Action.UPDATE,
            label=f"{q.supplier.name} #{q.cycle}",
            changes={
                "state": ["open", "submitted"],
                "risk_score": [None, result.score],
                "answers": [
                    {"code": i.code, "answer": i.answer, "comment": i.comment}
                    for i in q.items.all()
                ],
            },
        )
    return q
