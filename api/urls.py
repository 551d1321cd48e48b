"""The API's URLs, /api/v1/…: token-authenticated JSON, so the console's sign-in redirect does not apply to them
(the API answers 401 itself)."""

from django.contrib.auth.decorators import login_not_required

from .endpoints import api

app_name = "api"
urlpatterns = api.urls[0]
for pattern in urlpatterns:
    pattern.callback = login_not_required(pattern.callback)
