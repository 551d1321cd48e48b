"""A GET of a URL that only takes a form's POST is a page of the console (405), not the empty body browsers replace
with their own error page; the JSON API keeps its own answer."""

import pytest
from django.utils import translation


def test_a_get_of_a_post_only_url_is_a_console_page(superadmin):
    response = superadmin.get("/logout/")
    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"
    page = response.content.decode()
    assert "<h1>Not a page</h1>" in page and 'href="/"' in page and '<main id="main">' in page


def test_the_page_speaks_french(superadmin):
    with translation.override("fr"):
        response = superadmin.get("/tokens/1/revoke/", headers={"accept-language": "fr"})
    assert response.status_code == 405
    assert "Ce n’est pas une page" in response.content.decode()


@pytest.mark.django_db
def test_the_api_keeps_its_own_405(client):
    response = client.put("/api/v1/domains")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"  # the API's own refusal (api.core), left as it is
    assert response.json()["status"] == 405 and "Allow" in response
