"""Jobs pages: an organization's jobs, one job, and the background import form.

While a job is queued or running, the page asks for its fragment again every
two seconds (HTMX polling); the fragment stops asking once nothing is active.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from csfpilot.core.errors import InputRefused, NotFound
from csfpilot.webapp.jobs import beats, queries, services
from csfpilot.webapp.jobs.forms import ImportJobForm
from csfpilot.webapp.jobs.profile_import import import_profile
from csfpilot.webapp.organizations.decorators import org_view
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles.exchange import read_profile_file

POLL = "2s"


def _worker_context() -> dict[str, object]:
    """Whether a worker is there to run queued jobs (see beats.py), for the notice."""
    seen = beats.last_seen()
    return {
        "no_worker": seen is None or seen < timezone.now() - beats.SILENT_AFTER,
        "worker_seen": seen,
    }


def _list_context(access: Access, form: ImportJobForm | None = None) -> dict[str, object]:
    jobs = queries.organization_jobs(access)
    return {
        **_worker_context(),
        "access": access,
        "org": access.organization,
        "jobs": jobs,
        "polling": queries.any_active(jobs),
        "poll": POLL,
        "form": form if form is not None else ImportJobForm(),
        "can_import": access.can(Permission.EDIT_PROFILES),
    }


@org_view(Permission.VIEW)
@require_http_methods(["GET"])
def job_list(request: HttpRequest, access: Access) -> HttpResponse:
    context = _list_context(access)
    if request.htmx:
        return render(request, "jobs/_job_table.html", context)
    return render(request, "jobs/list.html", context)


@org_view(Permission.VIEW)
@require_http_methods(["GET"])
def job_detail(request: HttpRequest, access: Access, job_id: int) -> HttpResponse:
    try:
        job = queries.job(access, job_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    context = {
        **(_worker_context() if job.active else {}),
        "access": access,
        "org": access.organization,
        "job": job,
        "poll": POLL,
    }
    if request.htmx:
        return render(request, "jobs/_job_status.html", context)
    return render(request, "jobs/detail.html", context)


@org_view(Permission.EDIT_PROFILES)
@require_POST
def job_import(request: HttpRequest, access: Access) -> HttpResponse:
    form = ImportJobForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "jobs/list.html", _list_context(access, form), status=400)
    upload = form.cleaned_data["file"]
    data = upload.read()
    try:
        # Read it now, as the worker will: a file that cannot be imported is refused
        # here, on the page, rather than queued to fail later.
        read_profile_file(data, filename=upload.name)
    except InputRefused as exc:
        form.add_error("file", str(exc))
        return render(request, "jobs/list.html", _list_context(access, form), status=400)
    job = services.enqueue(
        import_profile,
        access=access,
        label=_("Import %(file)s") % {"file": upload.name},
        upload=data,
        upload_name=upload.name,
        name=form.cleaned_data["name"] or None,
        replace=form.cleaned_data["replace"],
    )
    messages.success(request, _("The import is queued; this page follows its progress."))
    return redirect("jobs:detail", slug=access.organization.slug, job_id=job.pk)
