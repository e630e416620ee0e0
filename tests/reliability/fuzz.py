"""Bad input, generated: raw request bodies and query strings for every form and
JSON endpoint, and what a response to them must be.

Bodies are built as bytes, not through the test client's encoder, so that they
can carry what a browser or a script can send and Django's client cannot:
repeated keys, invalid UTF-8 (a lone surrogate encoded as CESU-8), NUL and other
control characters, bidirectional overrides, integers of 40 digits, values of
tens of kilobytes, and fields the form does not have.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote_plus

from django.apps import apps
from django.db import connection
from hypothesis import strategies as st

# Characters that break naive handling: NUL and other C0/C1 controls, bidi overrides and
# isolates, zero-width joiners, a BOM, line and paragraph separators, a combining mark,
# characters outside the BMP, and lone surrogates (sent as the invalid UTF-8 a lenient
# encoder would produce).
NASTY = [
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",
    "\u202e",
    "\u2066",
    "\u200d",
    "\ufeff",
    "\u2028",
    "\u0301",
    "\U0001f9d1",
    "\ud800",
    "\udfff",
    "'",
    '"',
    "<",
    "%",
    "&",
    "=",
    "+",
]

texts = st.text(
    alphabet=st.one_of(st.characters(codec=None), st.sampled_from(NASTY)),
    max_size=40,
)
huge_integers = st.integers(min_value=-(10**40), max_value=10**40).map(str)
edge_integers = st.sampled_from(
    ["0", "-1", "1", str(2**31), str(2**63 - 1), str(2**63), "9" * 23, "1e9", "0x10", " 1", "١٢"]
)
big_values = st.sampled_from([1_000, 20_000, 120_000]).map(lambda n: "x" * n)
dates = st.sampled_from(["2026-02-30", "0000-01-01", "9999-12-31", "2026-13-01", "yesterday", ""])


@dataclass
class Target:
    """One URL of the project and how to reach it with generated input."""

    route: str  # the resolver's route, e.g. "learn/heartbeat/"
    who: str  # "anonymous", "clinician" or "admin"
    method: str  # "post" (body) or "get" (query string)
    url: str  # {name}: an attribute of the world (its records' ids)
    fields: list[str] = field(default_factory=list)  # the names it reads
    multipart: bool = False  # also sends files

    def url_for(self, world) -> str:
        return self.url.format_map(vars(world))


def values_for(target: Target, world):
    """A value for one field: nasty text, numbers, sizes, dates, or a real id of the world
    (so that part of the input reaches past the first check)."""
    real = st.sampled_from(world.real_values) if world.real_values else st.nothing()
    return st.one_of(texts, huge_integers, edge_integers, big_values, dates, real)


@st.composite
def raw_pairs(draw, target: Target, world):
    names = st.one_of(st.sampled_from(target.fields or ["x"]), texts)
    pairs = draw(st.lists(st.tuples(names, values_for(target, world)), max_size=6))
    # Repeated keys: the same field sent twice with different values.
    if pairs and draw(st.booleans()):
        pairs.append((pairs[0][0], draw(values_for(target, world))))
    return pairs


def urlencode_raw(pairs) -> bytes:
    def enc(value: str) -> str:
        return quote_plus(value.encode("utf-8", "surrogatepass"))

    return "&".join(f"{enc(k)}={enc(v)}" for k, v in pairs).encode("ascii")


def multipart_raw(pairs, files) -> tuple[bytes, str]:
    boundary = "fuzzboundary7MA4YWxkTrZu0gW"
    out = []
    for name, value in pairs:
        out.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode(
                "utf-8", "surrogatepass"
            )
            + value.encode("utf-8", "surrogatepass")
            + b"\r\n"
        )
    for name, filename, content in files:
        out.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode(
                "utf-8", "surrogatepass"
            )
            + content
            + b"\r\n"
        )
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


file_contents = st.one_of(
    st.binary(max_size=200),
    st.sampled_from([b"", b"%PDF-1.7\n%%EOF", b"\x7fELF\x02\x01\x01", b"%PDF-" + b"\x00" * 500]),
)


@st.composite
def requests(draw, target: Target, world):
    """(method, url, body, content type) for one generated request."""
    pairs = draw(raw_pairs(target, world))
    url = target.url_for(world)
    if target.method == "get":
        query = urlencode_raw(pairs).decode("ascii")
        return "get", f"{url}{'&' if '?' in url else '?'}{query}", b"", ""
    shape = draw(
        st.sampled_from(["form", "form", "json", "multipart" if target.multipart else "form"])
    )
    if shape == "json":
        body = draw(
            st.sampled_from(
                [
                    json.dumps(dict(pairs)).encode("utf-8", "surrogatepass"),
                    b"[1, 2",
                    b"null",
                    json.dumps({k: 10**40 for k, _ in pairs}).encode("utf-8", "surrogatepass"),
                ]
            )
        )
        return "post", url, body, "application/json"
    if shape == "multipart":
        name = draw(st.sampled_from(["file", "attachments", "x"]))
        filename = draw(
            st.sampled_from(["a.pdf", "a.pdf.exe", "", "\u202eexe.pdf", "../../etc/passwd"])
        )
        body, content_type = multipart_raw(pairs, [(name, filename, draw(file_contents))])
        return "post", url, body, content_type
    return "post", url, urlencode_raw(pairs), "application/x-www-form-urlencoded"


# --- What must hold --------------------------------------------------------------------------

# The apps whose rows a refused request must leave alone (Wagtail's pages too: a
# refused enrollment must not touch a course). Sessions are not among them: a refused
# request may still refresh the session's last-seen time.
ROOT = Path(__file__).resolve().parents[2]


def project_apps() -> list:
    """The project's own Django apps (those whose code is in this repository)."""
    return [
        c
        for c in apps.get_app_configs()
        if Path(c.path).is_relative_to(ROOT) and "site-packages" not in Path(c.path).parts
    ]


def _fingerprinted_tables() -> list[str]:
    return [
        model._meta.db_table
        for config in [*project_apps(), apps.get_app_config("wagtailcore")]
        for model in config.get_models()
        if not model._meta.proxy and model._meta.managed
    ]


def fingerprint_sql() -> str:
    """One query that hashes each table's rows (PostgreSQL); on SQLite, which has no
    md5(), the table names, one a line, whose rows `fingerprint` hashes itself."""
    tables = _fingerprinted_tables()
    if connection.vendor != "postgresql":
        return "\n".join(tables)
    return " UNION ALL ".join(
        f"SELECT '{table}' AS t, "  # noqa: S608 (names from the models)
        f"md5(coalesce(string_agg(md5(x::text), '' ORDER BY md5(x::text)), '')) AS h "
        f"FROM {connection.ops.quote_name(table)} x"
        for table in tables
    )


def fingerprint(sql: str) -> dict[str, str]:
    """Each table's hash: equal before and after when no row was added, changed or removed."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(sql)
            return dict(cursor.fetchall())
        hashes = {}
        for table in sql.splitlines():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = sorted(repr(row) for row in cursor.fetchall())
            hashes[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        return hashes


def _has_error(data) -> bool:
    """A JSON answer names an error: a non-empty "error" or "errors" anywhere in it
    (ours: {"error": "..."}; allauth's: the form's fields with their "errors")."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("error", "errors") and value:
                return True
            if _has_error(value):
                return True
    elif isinstance(data, list):
        return any(_has_error(item) for item in data)
    return False


ERROR_MARKERS = (b'role="alert"', b"errorlist", b"error-text", b"error-message")


def says_what_was_wrong(response) -> bool:
    """A refusal explains itself: JSON with a non-empty "error", a page with an alert
    or a form error, or (405) the Allow header naming the methods that work."""
    if response.status_code == 405:
        return bool(response.headers.get("Allow"))
    content_type = response.headers.get("Content-Type", "")
    body = b"".join(response) if response.streaming else response.content
    if content_type.startswith("application/json"):
        try:
            data = json.loads(body)
        except ValueError:
            return False
        return _has_error(data)
    if content_type.startswith("text/html"):
        return any(marker in body for marker in ERROR_MARKERS) or b"<h1" in body
    return bool(body.strip())
