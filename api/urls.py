"""The API's URLs, /api/v1/…: token-authenticated JSON, so the console's sign-in redirect does not apply to them
(the API answers 401 itself)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import re_path
from django.utils.translation import gettext as _

from . import lookups, mailbox  # noqa: F401 (their operations register on import)
from .core import Problem, conditional, head_as_get, method_refused_as_json, problem_response
from .endpoints import api

app_name = "api"
urlpatterns = api.urls[0]
for pattern in urlpatterns:
    pattern.callback = login_not_required(head_as_get(method_refused_as_json(conditional(pattern.callback))))


@login_not_required
@head_as_get
def not_found(request: HttpRequest) -> HttpResponse:
    """Any other path under /api/v1/: a JSON 404 too, never the console's HTML page."""
    return problem_response(request, Problem(404, _("Not found.")))


urlpatterns = [*urlpatterns, re_path(r"", not_found, name="not_found")]
