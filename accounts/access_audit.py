"""Changes to who may do what, recorded in the audit log: a person's groups and
status (Wagtail's user views), a group's permissions (Wagtail's group views),
and deleted people and groups. Wagtail's own views make these changes, so the
seams are its hooks (accounts.wagtail_hooks) and, for a deleted group, a
signal; each compares the recorded state before and after (selectors) and adds
one row when something changed."""

from __future__ import annotations

from django import forms
from django.forms import Media

from audit.context import current_request
from audit.models import AuditAction
from audit.services import audit_change, audit_record

from .models import User
from .selectors import group_permissions, user_roles

_BEFORE = "_audit_user_roles_before"


def _roles_change_record(request, user, *, before: dict) -> None:
    """One row if the person's groups, permissions or status differ from `before`."""
    audit_change(
        actor=request.user,
        action=AuditAction.USER_ROLES_EDIT,
        obj=user,
        before=before,
        after=user_roles(user=user),
        request=request,
    )


def _deletion_record(request, pk, label: str, data: dict) -> None:
    """The row for a person an administrator deleted; `data` adds to "by"."""
    audit_record(
        actor=request.user,
        action=AuditAction.USER_DELETE,
        object_type="accounts.user",
        object_id=pk,
        object_label=label,
        data={"by": "administrator", **data},
        request=request,
    )


def user_edit_started(request, user) -> None:
    """`before_edit_user` and `before_delete_user`: the person as they are now."""
    setattr(request, _BEFORE, (user.pk, str(user), user.email, user_roles(user=user)))


def user_edit_finished(request, user) -> None:
    """`after_edit_user`: one row if their groups, permissions or status changed."""
    _, _, _, before = getattr(request, _BEFORE, (None, "", "", {}))
    _roles_change_record(request, user, before=before)


def user_created(request, user) -> None:
    """`after_create_user`: a new person's groups and status."""
    _roles_change_record(request, user, before={})


def user_deleted(request, user) -> None:
    """`after_delete_user`: the row is gone, so the id and label come from before."""
    pk, label, email, before = getattr(request, _BEFORE, (None, str(user), user.email, {}))
    _deletion_record(request, pk or "", label, {"email": email, "roles": before})


_BULK_BEFORE = "_audit_bulk_users_before"


def users_bulk_started(request, objects) -> None:
    """`before_bulk_action` on people (delete, activate or deactivate, add to a group)."""
    setattr(
        request,
        _BULK_BEFORE,
        {user.pk: (str(user), user.email, user_roles(user=user)) for user in objects},
    )


def users_bulk_finished(request, action_type: str, objects) -> None:
    """`after_bulk_action` on people: a row per person whose access changed, or
    who was deleted."""
    before = getattr(request, _BULK_BEFORE, {})
    remaining = {user.pk: user for user in User.objects.filter(pk__in=before)}
    for pk, (label, email, roles) in before.items():
        user = remaining.get(pk)
        if user is None:
            _deletion_record(
                request, pk, label, {"bulk": action_type, "email": email, "roles": roles}
            )
            continue
        _roles_change_record(request, user, before=roles)


class GroupAuditPanel(forms.Form):
    """A permission panel of Wagtail's group views with nothing to show
    (`register_group_permission_panel`, registered last): built before the
    group is saved, saved after the other panels, it compares the group's
    permissions then and now."""

    def __init__(self, data=None, files=None, instance=None, **kwargs):
        super().__init__(data=data, files=files, **kwargs)
        self.instance = instance
        self.before = group_permissions(group=instance) if instance is not None else {}

    def is_valid(self) -> bool:
        return True

    @property
    def media(self) -> Media:
        return Media()

    def as_admin_panel(self) -> str:
        return ""

    def save(self) -> None:
        request = current_request()
        if self.instance is None or request is None:
            return
        audit_change(
            actor=request.user,
            action=AuditAction.GROUP_EDIT if self.before else AuditAction.GROUP_CREATE,
            obj=self.instance,
            before=self.before,
            after=group_permissions(group=self.instance),
            request=request,
        )


def group_deleted(sender, instance, **kwargs) -> None:
    """`pre_delete` of a Group: what it granted, while its permissions still exist."""
    request = current_request()
    audit_record(
        actor=getattr(request, "user", None) if request is not None else None,
        action=AuditAction.GROUP_DELETE,
        obj=instance,
        data={"granted": group_permissions(group=instance)},
    )
