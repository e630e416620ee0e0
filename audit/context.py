"""The request being served, for audit rows written below the views.

Services (certificates.services, accounts.services) take the actor, not the
request; the address the action came from is read here. The middleware sets it
for the length of one request (a context variable: each thread and each task
has its own); outside a request (Celery tasks, the shell) there is none and
the row has no address."""

from __future__ import annotations

from contextvars import ContextVar

from django.http import HttpRequest

_current_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)


def current_request() -> HttpRequest | None:
    return _current_request.get()


class AuditRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
