"""Fixtures for the account, virtual alias and people pages."""

import pytest


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Pages render without `collectstatic` having run (the manifest storage would refuse to name app.css)."""
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
