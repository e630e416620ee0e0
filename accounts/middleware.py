"""Session lifetime and re-authentication, for every request.

- ``SessionTimeoutMiddleware`` signs out a session that was idle too long or
  reached its absolute lifetime (the rule: accounts.sessions), with a message
  saying why; the request then goes on as an anonymous one, so a personal page
  sends the person to sign in and back.
- ``AdminReauthenticationMiddleware`` asks for re-authentication before the
  Wagtail admin's own user and group editing views, which this project does not
  define and so cannot decorate (the views it defines use accounts.decorators).
"""

from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.models import Group

from .decorators import reauthentication_response
from .sessions import session_expiry_check

# Wagtail's views that create, change or delete people and groups (the groups
# carry the permissions), by URL name. The listings and histories only read.
REAUTH_ADMIN_VIEWS = {
    f"{namespace}:{view}": (model, action)
    for namespace, model in (("wagtailusers_users", "user"), ("wagtailusers_groups", "group"))
    for view, action in (("add", "add"), ("edit", "change"), ("delete", "delete"))
}


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            message = session_expiry_check(request)
            if message:
                logout(request)
                messages.info(request, message)
        return self.get_response(request)


def _people_model(name: str):
    return get_user_model() if name == "user" else Group


def _sensitive_people_edit(request) -> bool:
    """Is this request one of Wagtail's user or group edits, by someone allowed
    to make it? (Someone without the permission is refused by Wagtail itself,
    without being asked for a password first.)"""
    match = request.resolver_match
    if match.view_name in REAUTH_ADMIN_VIEWS:
        name, action = REAUTH_ADMIN_VIEWS[match.view_name]
        model = _people_model(name)
    elif match.view_name == "wagtail_bulk_action":
        # Wagtail's bulk actions on users: delete, (de)activate, assign a role.
        key = (match.kwargs.get("app_label"), match.kwargs.get("model_name"))
        models = {(m._meta.app_label, m._meta.model_name): m for m in (get_user_model(), Group)}
        if key not in models:
            return False
        model = models[key]
        action = "delete" if match.kwargs.get("action") == "delete" else "change"
    else:
        return False
    return request.user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}")


class AdminReauthenticationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.user.is_authenticated and _sensitive_people_edit(request):
            return reauthentication_response(request)
        return None
