import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth counts attempts in the cache, per address and per IP (every test
    client is 127.0.0.1): each test starts with none counted."""
    cache.clear()
