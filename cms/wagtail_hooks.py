from django.templatetags.static import static
from django.urls import path
from django.utils.html import format_html
from wagtail import hooks

from . import media_views
from .page_cache import mark_cacheable_page_type

hooks.register("before_serve_page", mark_cacheable_page_type)


@hooks.register("register_admin_urls", order=-1)
def media_views_that_explain_refusals():
    """Ahead of wagtail.images' and wagtail.documents' own patterns (order -1):
    the same URLs, served by views that name the rule that refuses. These keep
    Wagtail's <int:...> (not cms.ids' <id:...>) so that they match exactly the
    URLs they stand in for; an oversized id then reaches Wagtail's view, which
    looks the image up by its own id and answers 404 on both databases."""
    return [
        path("images/<int:image_id>/", media_views.ImageEditView.as_view()),
        path("images/<int:image_id>/delete/", media_views.ImageDeleteView.as_view()),
        path("documents/edit/<int:document_id>/", media_views.DocumentEditView.as_view()),
        path("documents/delete/<int:document_id>/", media_views.DocumentDeleteView.as_view()),
    ]


@hooks.register("insert_editor_js")
def save_after_autosave():
    """A save clicked while Wagtail's autosave is creating the page waits for it
    (cms/static/cms/save-after-autosave.js says why)."""
    return format_html('<script src="{}"></script>', static("cms/save-after-autosave.js"))
