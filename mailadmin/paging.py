"""Numbered pagers for lists paged on the server (VLV windows), where only the total is known."""

from __future__ import annotations

from django.http import Http404, HttpRequest

# Far beyond any list's last page (100,000 pages of 50), and small enough that a VLV offset stays a 32-bit integer:
# slapd answers protocolError to a larger one.
MAX_PAGE = 100_000


def requested_page(request: HttpRequest) -> int:
    """The 1-based ?page= number; 1 when absent. Raise Http404 for anything else (and past MAX_PAGE), as Django's
    Paginator does."""
    value = request.GET.get("page", "1")
    # The length first: int() refuses (ValueError) numbers of more than 4,300 digits.
    if not value.isascii() or not value.isdigit() or len(value) > len(str(MAX_PAGE)) or not 1 <= int(value) <= MAX_PAGE:
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
