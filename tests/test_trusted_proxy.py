"""X-Forwarded-For and X-Forwarded-Proto count only from a proxy listed in TRUSTED_PROXIES."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from mailadmin.proxy import TrustedProxyMiddleware


def _seen(**meta) -> dict:
    seen = {}

    def view(request):
        seen.update(address=request.META["REMOTE_ADDR"], secure=request.is_secure())
        return HttpResponse()

    TrustedProxyMiddleware(view)(RequestFactory().get("/", **meta))
    return seen


@pytest.fixture
def behind_nginx(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "unix"]


def test_a_trusted_proxy_gives_the_client_address_and_scheme(behind_nginx):
    seen = _seen(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9", HTTP_X_FORWARDED_PROTO="https")
    assert seen == {"address": "203.0.113.9", "secure": True}


def test_only_the_address_the_proxy_saw_counts_not_what_the_client_sent(behind_nginx):
    seen = _seen(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.4")
    assert seen["address"] == "198.51.100.4"


def test_a_proxy_on_the_unix_socket_is_trusted_as_unix(behind_nginx):
    assert _seen(REMOTE_ADDR="", HTTP_X_FORWARDED_FOR="2001:db8::7")["address"] == "2001:db8::7"


def test_headers_from_anyone_else_are_ignored(behind_nginx):
    seen = _seen(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="203.0.113.9", HTTP_X_FORWARDED_PROTO="https")
    assert seen == {"address": "192.0.2.1", "secure": False}


def test_no_proxy_is_trusted_by_default(settings):
    assert settings.TRUSTED_PROXIES == []
    assert _seen(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")["address"] == "127.0.0.1"


def test_a_forwarded_value_that_is_no_address_is_ignored(behind_nginx):
    assert _seen(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="unknown")["address"] == "127.0.0.1"
