from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from campaigns import login
from campaigns.views import health

# The admin's own login page shows a lock in words like the app's.
admin.site.login_form = login.AdminLoginForm

urlpatterns = [
    path("", include("campaigns.urls")),
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=login.AuthenticationForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("health/", health.health, name="health"),
]

if settings.SANDBOX_ENABLED:
    urlpatterns.append(path("sandbox/", include("sandbox.urls")))
