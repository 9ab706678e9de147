"""Team review. Included from config/urls.py as `path("", include(...))`."""

from django.urls import path

from campaigns import views_review as views

app_name = "review"

urlpatterns = [
    path("review/", views.queue, name="queue"),
    path("drafts/<int:pk>/review/", views.review_page, name="review"),
    path("drafts/<int:pk>/review/guards/", views.guards, name="guards"),
    path("drafts/<int:pk>/review/submit/", views.submit, name="submit"),
    path("drafts/<int:pk>/review/approve/", views.approve, name="approve"),
    path("drafts/<int:pk>/review/request-changes/", views.request_changes, name="request_changes"),
    path("drafts/<int:pk>/comments/", views.comments, name="comments"),
    path("drafts/<int:pk>/history/", views.history, name="history"),
    path(
        "drafts/<int:pk>/history/<int:revision_pk>/restore/",
        views.revision_restore,
        name="revision_restore",
    ),
    path(
        "campaigns/<int:pk>/publish/<int:attempt_pk>/pending/",
        views.publish_pending,
        name="publish_pending",
    ),
    path(
        "campaigns/<int:pk>/publish/<int:attempt_pk>/cancel/",
        views.publish_cancel,
        name="publish_cancel",
    ),
    path(
        "campaigns/<int:pk>/publish/<int:attempt_pk>/release/",
        views.publish_release,
        name="publish_release",
    ),
    path("audit/", views.audit, name="audit"),
    path("audit.csv", views.audit_csv, name="audit_csv"),
]
