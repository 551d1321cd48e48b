"""Numbered pagers for lists paged on the server (VLV windows), where only the total is known."""

from __future__ import annotations

from django.http import Http404, HttpRequest


def requested_page(request: HttpRequest) -> int:
    """The 1-based ?page= number; 1 when absent. Raise Http404 for anything else, as Django's Paginator does."""
    value = request.GET.get("page", "1")
    if not value.isdigit() or int(value) < 1:
        raise Http404("no such page")
    return int(value)


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """The numbers a pager links: the first, the last and `around` either side of `page`; None marks a gap."""
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    numbers: list[int | None] = []
    for previous, number in zip([0, *shown], shown, strict=False):
        if number - previous > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers
