from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts import views as account_views

from .health import healthz

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

urlpatterns += [path("", include(wagtail_urls))]
