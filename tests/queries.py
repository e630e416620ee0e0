"""Query budgets: the SQL a page runs once the process is warm, and the check
that it stays the same as the data grows and within the budget."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.prepared import readable


def page_queries(client, url: str) -> list[str]:
    """The SQL of a GET of `url` by `client`, asserted 200. A first GET, not
    counted, fills the per-process caches (the sites' root paths ...)."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def assert_constant(small: list[str], large: list[str], budget: int) -> None:
    """As many queries with more data as with less, and no more than `budget`
    (the larger page's SQL is shown when not)."""
    assert len(small) == len(large), "\n".join(large)
    assert len(large) <= budget, "\n".join(large)


def queries_read(captured: CaptureQueriesContext) -> list[str]:
    """The SQL of the queries captured, each prepared statement's EXECUTE as the
    statement's SQL and its PREPARE (once per database session) left out: what
    was read, the same whether or not the session had prepared it already."""
    return [sql for q in captured.captured_queries if (sql := readable(q["sql"])) is not None]
