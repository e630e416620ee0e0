"""What a web process carries. Typst's native library (about 13 MB resident) is
loaded on the first PDF compile, not at start-up: a web worker serves pages,
exports and downloads of stored PDFs, and the Celery worker renders."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.test"
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns  # every view module of the site, as a web worker loads them
import cms.wsgi
print("typst" in sys.modules, "certificates.rendering" in sys.modules)
"""


def test_a_web_process_loads_every_view_without_typst():
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    # The renderer's module is loaded (views and services name it); Typst is not.
    assert out == ["False", "True"]


def test_the_first_compile_loads_typst_and_renders_a_pdf():
    from certificates.rendering import typst_compiler

    pdf = typst_compiler().compile(b"Hello", format="pdf")
    assert pdf.startswith(b"%PDF-") and "typst" in sys.modules
    assert typst_compiler() is typst_compiler()
