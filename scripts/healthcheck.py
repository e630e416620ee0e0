"""Container health check: GET /healthz on the local gunicorn; exit 0 only on 200.

Stdlib only (it runs often, and must not load Django). The request carries the
site's own host name (the first of ALLOWED_HOSTS), so Django's host check passes,
and X-Forwarded-Proto: https, as the TLS proxy in front would send, so the SSL
redirect does not answer instead of the view.

    python scripts/healthcheck.py [URL]     # default http://127.0.0.1:8000/healthz
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8000/healthz"


def main(argv: list[str]) -> int:
    url = argv[0] if argv else DEFAULT_URL
    if not url.startswith(("http://", "https://")):
        print(f"not an http(s) URL: {url}", file=sys.stderr)
        return 2
    hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    headers = {"X-Forwarded-Proto": "https", "Accept": "application/json"}
    if hosts and hosts[0] not in ("*",) and not hosts[0].startswith("."):
        headers["Host"] = hosts[0]
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - http(s) only
    try:
        with urllib.request.urlopen(request, timeout=8) as response:  # noqa: S310 - http(s) only
            body = response.read().decode("utf-8", "replace")
            status = response.status
    except urllib.error.HTTPError as exc:  # 503 names what is down
        body = exc.read().decode("utf-8", "replace")
        status = exc.code
    except OSError as exc:
        print(f"unhealthy: {url}: {exc}", file=sys.stderr)
        return 1
    print(f"{status} {body}")
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
