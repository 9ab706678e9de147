"""Estimating and publishing. Included from config/urls.py as `path("", include(...))`."""

from django.urls import path

from campaigns import views_publishing as views

app_name = "publishing"

urlpatterns = [
    path("campaigns/<int:pk>/estimate/", views.estimate, name="estimate"),
    path(
        "campaigns/<int:pk>/estimate/<int:estimate_pk>/poll/",
        views.estimate_poll,
        name="estimate_poll",
    ),
    path("campaigns/<int:pk>/publish/", views.publish, name="publish"),
    path("campaigns/<int:pk>/published/", views.published, name="published"),
    path("campaigns/<int:pk>/stop/", views.stop, name="stop"),
    path("campaigns/<int:pk>/report/", views.report, name="report"),
    path(
        "campaigns/<int:pk>/attempts/<int:attempt_pk>/check/",
        views.attempt_check,
        name="attempt_check",
    ),
    path(
        "campaigns/<int:pk>/attempts/<int:attempt_pk>/progress/",
        views.send_progress,
        name="send_progress",
    ),
    path(
        "campaigns/<int:pk>/attempts/<int:attempt_pk>/resume/",
        views.send_resume,
        name="send_resume",
    ),
    path(
        "campaigns/<int:pk>/batches/<int:batch_pk>/retry/",
        views.batch_retry,
        name="batch_retry",
    ),
]
