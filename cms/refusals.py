"""The one refusal type of the services, and the one place views turn it into a response.

A service that will not do what was asked raises `Refusal` with a message for the
person ("You have used all 3 attempts.") and a `kind` that says why in one word. It
changed nothing. It knows nothing about HTTP: `refusal_status` maps the kind to a
status code, and `refused` renders the message (a page, or JSON for scripts).

Views that only show the message wrap themselves in `@refusals_shown` (or
`@post_action`, which also asks for a signed-in person and a POST); views that show
it inside their own page (a form with its errors) catch `Refusal` and call
`refusal_status` for the code. Request parsing that refuses (`request_post`,
`posted_id`) raises `Refusal` too, so bad input and a refused action read the same.

This module is part of the cms site layer: every app may import it.
"""

from enum import StrEnum
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from .ids import id_parse


class Refusal(Exception):
    """A refused action, with a message for the person. Nothing was changed."""

    class Kind(StrEnum):
        INVALID = "invalid"  # what was sent cannot be accepted as it is
        NOT_FOUND = "not_found"  # no such thing (or not one this person may see)
        NOT_ALLOWED = "not_allowed"  # not for this person, or not yet
        CONFLICT = "conflict"  # already done, or the state moved on meanwhile
        TOO_LARGE = "too_large"  # the request is larger than any real one

    def __init__(self, message: str, *, kind: "Refusal.Kind" = Kind.INVALID, field: str = ""):
        super().__init__(message)
        self.message = message
        self.kind = Refusal.Kind(kind)
        # The input the refusal is about, when there is one ("details"): a view
        # showing the form puts the message at that field (`refusal_field`).
        self.field = field


_STATUS = {
    Refusal.Kind.INVALID: 400,
    Refusal.Kind.NOT_FOUND: 404,
    Refusal.Kind.NOT_ALLOWED: 403,
    Refusal.Kind.CONFLICT: 409,
    Refusal.Kind.TOO_LARGE: 413,
}


def refusal_field(refusal: Refusal, form) -> str | None:
    """The field of `form` a refusal belongs to, for `form.add_error`: its own
    field when the form has one by that name, else None (the whole form)."""
    return refusal.field if refusal.field in form.fields else None


def refusal_status(refusal: Refusal) -> int:
    """The HTTP status of a refusal (the only place that knows)."""
    return _STATUS[refusal.kind]


def wants_json(request) -> bool:
    return request.headers.get("accept", "").startswith("application/json")


def refused(request, refusal: Refusal, *, json: bool = False, link: tuple[str, str] | None = None):
    """The refusal as a response: JSON `{"error": message}` for scripts (`json`, or a
    request that accepts JSON), else the refused page; `link` is (url, label) of the
    most useful next page."""
    status = refusal_status(refusal)
    if json or wants_json(request):
        return JsonResponse(
            {"error": refusal.message}, status=status, json_dumps_params={"ensure_ascii": False}
        )
    return TemplateResponse(
        request, "refused.html", {"message": refusal.message, "link": link}, status=status
    )


def refusals_shown(view=None, *, json: bool = False):
    """Decorate a view: a `Refusal` raised inside it becomes `refused(...)`."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except Refusal as refusal:
                return refused(request, refusal, json=json)

        return wrapped

    return decorate(view) if view is not None else decorate


def post_action(view=None, *, json: bool = False):
    """A signed-in person's POST whose refusals are shown: `login_required`,
    `require_POST` and `refusals_shown` in one."""

    def decorate(view):
        return login_required(require_POST(refusals_shown(view, json=json)))

    return decorate(view) if view is not None else decorate


def request_post(request):
    """request.POST, or a refusal when the body is too big or has too many fields."""
    try:
        return request.POST
    except RequestDataTooBig:
        raise Refusal("The submission is too large.", kind=Refusal.Kind.TOO_LARGE) from None
    except TooManyFieldsSent:
        raise Refusal("The submission has too many fields.") from None


def posted_id(post, name: str, *, message: str = "") -> int:
    """The page or row id posted as `name`, or a refusal."""
    found = id_parse(post.get(name, ""))
    if found is None:
        raise Refusal(message or f"“{name}” must be a page id.")
    return found
