"""What is sent to the one person who may have it (their certificate, their
upload, their renewal packet, their request's attachment, the pages and status
answers about them): no shared cache on the way may keep a copy (the cms site
layer: any app may import it)."""

from __future__ import annotations

from typing import BinaryIO

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def personal_get(view):
    """A signed-in person's GET of what is theirs alone: `login_required`,
    `require_GET` and `never_cache` in one (the POST counterpart is
    `cms.refusals.post_action`)."""
    return login_required(require_GET(never_cache(view)))


def private_download(
    file: BinaryIO, *, filename: str, content_type: str, attachment: bool = True
) -> FileResponse:
    """`file`, open for reading, streamed as `filename` (a download unless
    `attachment` is False: then the browser shows it) with `Cache-Control:
    private, no-store`. The response closes the file."""
    response = FileResponse(
        file, as_attachment=attachment, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response
