"""The audit log in the console: the filtered list, one row's before -> after diff, and the CSV of a filtered view."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from mailadmin import auditlog
from mailadmin.models import AuditEntry
from mailadmin.paging import requested_page
from mailadmin.permissions import access_for

PAGE_SIZE = 50


def _readable_rows(request: HttpRequest):
    return auditlog.visible_rows(access_for(request.user), request.user.get_username())


def _filtered(request: HttpRequest) -> tuple[auditlog.AuditFilterForm, object]:
    """The filter form bound to the query string, and the rows it selects (none while a filter is invalid)."""
    form = auditlog.AuditFilterForm(request.GET)
    rows = form.rows(_readable_rows(request)) if form.is_valid() else AuditEntry.objects.none()
    return form, rows


@require_safe
def log(request: HttpRequest) -> HttpResponse:
    """A page of the filtered log, newest first. No count: one row beyond the page says whether another follows, so
    a page reads PAGE_SIZE + 1 rows through an index whatever the table's size."""
    form, rows = _filtered(request)
    page = requested_page(request)
    window = list(rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE + 1])
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/log.html", {
        "form": form, "entries": window[:PAGE_SIZE], "page": page, "has_next": len(window) > PAGE_SIZE,
        "query": query.urlencode(),
    }, status=200 if form.is_valid() else 422)


@require_safe
def entry(request: HttpRequest, pk: int) -> HttpResponse:
    """One row with its diff: 404 for a row the user may not read, as for one that does not exist."""
    row = _readable_rows(request).filter(pk=pk).first()
    if row is None:
        raise Http404
    return render(request, "audit/entry.html", {"entry": row, "changes": auditlog.diff(row)})


@require_safe
def export(request: HttpRequest) -> HttpResponse:
    """The filtered view as CSV (formula-safe cells), streamed."""
    form, rows = _filtered(request)
    if not form.is_valid():
        return render(request, "audit/log.html", {"form": form, "entries": [], "page": 1}, status=422)
    response = StreamingHttpResponse(auditlog.csv_lines(rows.iterator(chunk_size=2000)),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response
