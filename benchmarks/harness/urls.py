from django.urls import path

from cms.urls import urlpatterns as site_urlpatterns

from .views import baseline

urlpatterns = [path("bench/baseline/", baseline), *site_urlpatterns]
