"""The catalog's searches on the seeded launch modules, as a visitor gets them at
/courses/: each search's titles in order and the first card's snippet.
`test_catalog_seeded.py` runs `probe()` on PostgreSQL in the test process and,
through `main()`, on SQLite (`make run`'s default, with Wagtail's SQLite
full-text backend and the catalog's fallbacks for it) in a child process."""

from __future__ import annotations

import json
import re

COUNTERTRANSFERENCE = "Countertransference as clinical information"
GOOD_ENOUGH = "The good enough therapist: perfectionism, repair, and the ethics of limits"
FAILS = "When treatment fails: futility, failure and the therapeutic relationship"

SEEDED_SLUGS = (
    "countertransference-as-information",
    "good-enough-therapist",
    "when-treatment-fails",
)

#: A search, and the course about its words, which comes first.
SEARCHES = {
    "countertransference": COUNTERTRANSFERENCE,
    "perfectionism": GOOD_ENOUGH,
    "futility": FAILS,
    "deterioration dropout": FAILS,
}


def seed() -> None:
    from tests.factories import launch_module_as_seeded

    for slug in SEEDED_SLUGS:
        launch_module_as_seeded(slug)


def cards(query: str = "") -> list[tuple[str, str]]:
    """(title, the rest of the card's HTML) of each card of /courses/<query>."""
    from django.test import Client

    response = Client().get("/courses/" + query)
    assert response.status_code == 200, response.status_code
    found = re.findall(
        r'<h2 class="card-title"><a [^>]+>([^<]+)</a></h2>(.*?)</li>',
        response.content.decode(),
        re.S,
    )
    return [(title.replace("&#x27;", "'"), card) for title, card in found]


def snippet(card: str) -> str:
    found = re.search(r'<p class="snippet">(.*?)</p>', card, re.S)
    return found.group(1).strip() if found else ""


def probe() -> dict:
    """The database and search backend in use; the catalog's order; each search's
    titles, best first, and the first card's snippet."""
    from django.db import connection
    from wagtail.search.backends import get_search_backend

    searches = {}
    for query in SEARCHES:
        found = cards(f"?q={query}")
        searches[query] = {
            "titles": [title for title, _ in found],
            "snippet": snippet(found[0][1]) if found else "",
        }
    return {
        "vendor": connection.vendor,
        "backend": type(get_search_backend()).__name__,
        "catalog": [title for title, _ in cards()],
        "searches": searches,
    }


def main() -> None:
    """In a child process on a migrated database: seed, then print the answers as JSON."""
    import django

    django.setup()
    seed()
    print(json.dumps(probe()))


if __name__ == "__main__":
    main()
