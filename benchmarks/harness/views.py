"""The no-database baseline: the lesson page's HTML (as the benchmark fetched
it) rendered from a template by a plain view, through the same middleware.
What a page costs beyond this is the application's own work."""

import os
from functools import cache
from pathlib import Path

from django.http import HttpResponse
from django.template import Context, Engine


@cache
def _template():
    path = Path(os.environ["BENCH_BASELINE_TEMPLATE"])
    return Engine(dirs=[str(path.parent)]).get_template(path.name)


def baseline(request):
    return HttpResponse(_template().render(Context({})))
