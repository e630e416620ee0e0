from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts import views as account_views

from . import routing
from .health import healthz

# An unreachable database gets a 503 "back in a moment" page, any other error the 500 page.
handler500 = "cms.errors.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Everyone signs in and out through allauth, the admin's staff included
    # (accounts.views; these come before Wagtail's own views of the same URLs).
    path("admin/login/", account_views.admin_login),
    path("admin/logout/", account_views.admin_logout),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("profile/", include("accounts.urls")),
    path("", include("courses.urls")),
    path("", include("quizzes.urls")),
    path("", include("certificates.urls")),
    path("renewals/", include("renewals.urls")),
    path("support/", include("support.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's own patterns, its page view routed from the cache (cms.routing).
urlpatterns += [
    *(pattern for pattern in wagtail_urls.urlpatterns if pattern.name != "wagtail_serve"),
    re_path(wagtail_urls.serve_pattern, routing.serve, name="wagtail_serve"),
]
