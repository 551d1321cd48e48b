"""Behind a reverse proxy (nginx, docs/deploy.md): the client's address and scheme come from the proxy's headers, but
only when the connection comes from a proxy listed in TRUSTED_PROXIES; from anyone else the headers are ignored, so a
client cannot choose the address the login throttle and the audit log see."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse

UNIX_SOCKET = "unix"  # TRUSTED_PROXIES' name for a proxy on gunicorn's unix socket, where REMOTE_ADDR is empty


def _client_address(forwarded_for: str) -> str | None:
    """The address the proxy itself saw: the last of X-Forwarded-For (earlier ones were sent by the client)."""
    last = forwarded_for.rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return None


class TrustedProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        peer = request.META.get("REMOTE_ADDR") or UNIX_SOCKET
        if peer in settings.TRUSTED_PROXIES:
            client = _client_address(request.META.get("HTTP_X_FORWARDED_FOR", ""))
            if client:
                request.META["REMOTE_ADDR"] = client
            if request.META.get("HTTP_X_FORWARDED_PROTO", "").lower() == "https":
                request.META["wsgi.url_scheme"] = "https"
        return self.get_response(request)
