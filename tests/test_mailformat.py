"""The template filters that show stored values the way people read them."""

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from mailadmin.templatetags.mailformat import ago


def test_a_change_of_seconds_ago_happened_just_now():
    assert ago(timezone.now() - timedelta(seconds=20)) == "just now"


def test_a_recent_change_says_how_long_ago_in_one_unit():
    assert ago(timezone.now() - timedelta(hours=3, minutes=20)) == "3\xa0hours ago"


def test_an_older_change_shows_its_date():
    assert ago(datetime(2024, 2, 29, 12, 0, tzinfo=UTC)) == "Feb. 29, 2024"
