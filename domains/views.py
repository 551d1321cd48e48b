"""Domain pages."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mailadmin.directory import connect
from mailadmin.directory import domains as ldap_domains


def list_domains(request: HttpRequest) -> HttpResponse:
    with connect() as directory:
        domains = ldap_domains.list_domains(directory)
    return render(request, "domains/list.html", {"domains": domains})
