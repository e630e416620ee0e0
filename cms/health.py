"""/healthz: the state of the database and the broker, for load balancers and compose."""

import socket
from urllib.parse import urlparse

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _broker_ok() -> bool:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True
    url = urlparse(settings.CELERY_BROKER_URL)
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), 1.0) as s:
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            reply = s.recv(64)
            # An auth-protected Redis answers -NOAUTH: it is up.
            return reply.startswith(b"+PONG") or reply.startswith(b"-NOAUTH")
    except OSError:
        return False


@never_cache
def healthz(request):
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    down = [name for name, ok in checks.items() if not ok]
    body = {name: "ok" if ok else "down" for name, ok in checks.items()}
    body["status"] = "ok" if not down else "down: " + ", ".join(down)
    return JsonResponse(body, status=503 if down else 200)
