"""Who may change and delete images and documents: the one rule, in one place.

Wagtail's collection-and-ownership policy decides first: Administrators hold
add/change/delete/choose on the root collection (every collection), Instructors
hold add/choose on "Course media" only, so they may change or delete what they
uploaded there and nothing else. Two rules come on top, and every admin path
(edit, replace, delete, the multiple upload, bulk actions) asks them through
the permission policy registered in `cms.apps`:

1. A file that a live page uses is changed or deleted only by someone holding
   the real change permission on its collection (an Administrator): replacing
   it would change approved content without review.
2. A file that a record needs is deleted by nobody, superusers included, and
   its file is never replaced. Higher apps say which files their records need
   through `register_media_hold` (the seam documented in docs/architecture.md):
   courses holds an instructor's CV through the retention period, certificates
   hold a logo or signature a certificate froze.

The admin's edit and delete views (`cms.wagtail_hooks`) show the reason these
rules give instead of Wagtail's generic "permission denied".
"""

from collections.abc import Callable

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.forms import BaseImageForm
from wagtail.models import Page, ReferenceIndex
from wagtail.permission_policies.collections import CollectionOwnershipPermissionPolicy

PROVIDER_IDENTITY = "Provider identity"
INSTRUCTOR_CVS = "Instructor CVs"
COURSE_MEDIA = "Course media"
#: The collections under the root, in this order (created by cms migration 0002).
COLLECTIONS = (PROVIDER_IDENTITY, INSTRUCTOR_CVS, COURSE_MEDIA)

# --- The seam: records that need a file ----------------------------------------------------

MediaHold = Callable[[Model], list[str]]
_holds: list[MediaHold] = []


def register_media_hold(check: MediaHold) -> None:
    """`check(obj)` returns why a record needs this image or document (one
    sentence fragment per reason, e.g. "it is the CV of Dana Roe, …"), or []."""
    if check not in _holds:
        _holds.append(check)


def media_holds(*, obj: Model) -> list[str]:
    return [reason for check in _holds for reason in check(obj)]


# --- Reads ---------------------------------------------------------------------------------


def media_live_uses(*, obj: Model) -> list[str]:
    """Titles of the live pages that use this image or document (Wagtail's
    reference index), plus any non-page object that uses it (site settings,
    an instructor's profile), since those show on live pages too."""
    references = ReferenceIndex.get_references_to(obj)
    page_type = ContentType.objects.get_for_model(Page)
    page_ids = set(
        references.filter(base_content_type=page_type).values_list("object_id", flat=True)
    )
    uses = list(
        Page.objects.live()
        .filter(pk__in=[int(pk) for pk in page_ids])
        .order_by("title")
        .values_list("title", flat=True)
    )
    for content_type_id in (
        references.exclude(base_content_type=page_type)
        .values_list("base_content_type", flat=True)
        .distinct()
    ):
        uses.append(str(ContentType.objects.get_for_id(content_type_id).name))
    return uses


def _quoted_list(items: list[str]) -> str:
    return ", ".join(f"“{item}”" for item in items)


class MediaPermissionPolicy(CollectionOwnershipPermissionPolicy):
    """Wagtail's collection-and-ownership policy, with the two rules above."""

    def refusal(self, user, action: str, obj: Model) -> str | None:
        """Why `user` may not `action` ("change", "delete") `obj` although the
        collection-and-ownership policy would let them; None when nothing stops
        them (or when that policy already refuses: that answer needs no reason)."""
        if action not in ("change", "delete"):
            return None
        if not super().user_has_any_permission_for_instance(user, [action], obj):
            return None
        noun = obj._meta.verbose_name
        if action == "delete":
            holds = media_holds(obj=obj)
            if holds:
                return (
                    f"“{obj}” cannot be deleted: {'; '.join(holds)}. "
                    f"Records keep this {noun} for audits, so nobody can delete it."
                )
        if not self._check_perm(user, ["change"], collection=obj.collection):
            # Allowed only through ownership: not once a live page uses it.
            uses = media_live_uses(obj=obj)
            if uses:
                verb = "changed" if action == "change" else "deleted"
                return (
                    f"“{obj}” is used by {_quoted_list(uses)}, which the public sees: it can be "
                    f"{verb} only by an Administrator, so that approved content does not change "
                    "without review. Ask an Administrator, or upload a new file and choose it instead."
                )
        return None

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(
            super(MediaPermissionPolicy, self).user_has_any_permission_for_instance(
                user, [action], instance
            )
            and self.refusal(user, action, instance) is None
            for action in actions
        )

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_any_permission_for_instance(user, [action], instance)


# --- Forms: a held file is never replaced ---------------------------------------------------


class _HeldFileMixin:
    def clean_file(self):
        file = self.cleaned_data.get("file")
        if self.instance.pk and "file" in self.changed_data:
            holds = media_holds(obj=self.instance)
            if holds:
                raise forms.ValidationError(
                    f"This file cannot be replaced: {'; '.join(holds)}. Replacing it would "
                    "delete the file the records rely on; upload the new file separately "
                    "and choose it instead."
                )
        return file


class MediaImageForm(_HeldFileMixin, BaseImageForm):
    pass


class MediaDocumentForm(_HeldFileMixin, BaseDocumentForm):
    pass
