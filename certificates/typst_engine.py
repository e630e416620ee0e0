"""The Typst side of Practicum's PDFs: one compiler per thread on the
certificates' own fonts, and the literals that carry data into a template.
Pure Python, no Django: the certificates, transcripts, renewal packets and
audit packets all compile through ``typst_compiler``.

Fonts: Typst embeds Libertinus Serif (Latin, Greek, Cyrillic). For
Chinese, Japanese and Korean names the renderer uses Noto Sans CJK from
the ``noto-cjk-sans-otc`` wheel; ``manimgx-fonts`` (Noto Sans for Arabic,
Hebrew, Devanagari, Thai, …) adds the other scripts when installed. Extra
font folders can be given in ``PRACTICUM_CERTIFICATE_FONT_DIRS``
(``os.pathsep``-separated). System fonts are not used, so output does not
depend on the machine. Fonts are scanned once per process (and again after a
fork); each thread gets its own compiler.

Data never becomes Typst markup: ``typst_preamble`` puts it in *string
literals* in one line before a template (``typst_string`` escapes everything
but printable ASCII, so a literal cannot end early), and the templates read
them with ``json(...)`` and place the values as plain text.

Why the data is in the source and not in ``sys.inputs``: Typst caches layout
between compilations in a process (comemo), keyed by what each piece of the
page reads, and changing ``sys.inputs`` rebuilds Typst's standard library,
which every cached result depends on (certificates/rendering.py says what the
certificate template does for the same reason).
"""

from __future__ import annotations

import importlib.util
import os
import re
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typst

__all__ = [
    "FONT_PACKAGES",
    "PDF_STANDARDS",
    "font_dirs",
    "page_count",
    "typst_compiler",
    "typst_preamble",
    "typst_string",
]

#: PDF/UA-1 (accessibility) together with PDF/A-2a (archival, accessible
#: level). Typst 0.15 can combine the two; PDF/A-4 cannot join PDF/UA-1.
PDF_STANDARDS: list[str] = ["ua-1", "a-2a"]

#: Python packages that ship font files, in preference order. Only the
#: folder of each installed package is handed to Typst; nothing is imported.
FONT_PACKAGES: tuple[str, ...] = ("noto_cjk_sans_otc", "manimgx_fonts")

FONT_DIRS_ENV = "PRACTICUM_CERTIFICATE_FONT_DIRS"


def font_dirs() -> list[str]:
    """Folders with the fonts the renderer adds to Typst's embedded ones."""
    dirs: list[str] = []
    for name in FONT_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            dirs.extend(str(p) for p in spec.submodule_search_locations)
    extra = os.environ.get(FONT_DIRS_ENV, "")
    dirs.extend(d for d in extra.split(os.pathsep) if d)
    return dirs


_typst_lock = threading.Lock()
_typst_fonts: dict[int, typst.Fonts] = {}
_typst_local = threading.local()


def _typst():
    # Imported on the first compile, not with this module: Typst's native library
    # is about 13 MB resident, and a web worker that never renders a PDF (most of
    # them: the Celery worker renders) should not carry it (benchmarks/exports.py).
    import typst

    return typst


def typst_compiler(*, root: str | None = None) -> typst.Compiler:
    """This thread's Typst compiler (one per file root), on the certificates' font
    folders and without system fonts, so output does not depend on the machine.
    The fonts are scanned once per process (and again after a fork); the
    certificates, the renewal packet and the audit packet all compile through it."""
    pid = os.getpid()
    compilers = _typst_local.__dict__.setdefault("compilers", {})
    compiler = compilers.get((pid, root))
    if compiler is None:
        typst = _typst()
        with _typst_lock:
            fonts = _typst_fonts.get(pid)
            if fonts is None:
                _typst_fonts.clear()
                fonts = _typst_fonts[pid] = typst.Fonts(
                    include_system_fonts=False,
                    include_embedded_fonts=True,
                    font_paths=font_dirs(),
                )
        options = {"root": root} if root else {}
        compiler = typst.Compiler(font_paths=fonts, ignore_system_fonts=True, **options)
        compilers[(pid, root)] = compiler
    return compiler


#: Characters a Typst string literal holds as they are: printable ASCII but the
#: backslash and the double quote.
_TYPST_UNSAFE = re.compile(r"[^\x20\x21\x23-\x5b\x5d-\x7e]")


def _typst_escape(match: re.Match) -> str:
    return f"\\u{{{ord(match.group()):x}}}"


def typst_string(text: str) -> str:
    """``text`` as a Typst string literal that evaluates to exactly ``text``:
    printable ASCII stays, everything else (quotes, backslashes, line breaks,
    non-Latin letters) is written as a ``\\u{…}`` escape, so nothing in
    ``text`` can end the literal or be read as code."""
    return '"' + _TYPST_UNSAFE.sub(_typst_escape, text) + '"'


def typst_preamble(inputs: dict[str, str]) -> bytes:
    """One line of Typst before a template: ``#let inputs = (key: "value", …)``.
    Keys must be Typst identifiers (they are the renderer's own)."""
    for key in inputs:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            raise ValueError(f"not a Typst identifier: {key!r}")
    pairs = ", ".join(f"{key}: {typst_string(value)}" for key, value in inputs.items())
    return f"#let inputs = ({pairs},)\n".encode("ascii")


_PAGE_COUNT = re.compile(rb"/Type\s*/Pages\s*/Count\s+(\d+)")


def page_count(pdf: bytes) -> int | None:
    """Pages of a PDF Typst wrote (its page tree is an uncompressed dictionary);
    None when it cannot be read that way."""
    match = _PAGE_COUNT.search(pdf)
    return int(match.group(1)) if match else None
