"""The site's answer to an unhandled error (``handler500`` in cms/urls.py).

An unreachable database (restarted, failed over, out of connections) is not a bug
in the page: the visitor gets a 503 that says the site is back in a moment, with
Retry-After, instead of the 500 "something went wrong". Both pages are rendered
without a request context, so that neither needs the database.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader

#: Seconds a client is asked to wait before trying again after a 503.
RETRY_AFTER_SECONDS = 10


def database_unavailable(exc: BaseException | None) -> bool:
    """Is this (or what caused it) the database being out of reach?"""
    while exc is not None:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def server_error(request):
    if database_unavailable(sys.exc_info()[1]):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
