from django.urls import path

from campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("", views.draft_list, name="draft_list"),
    path("new/", views.campaign_new, name="campaign_new"),
    path("import/", views.campaign_import, name="campaign_import"),
    path("drafts/<int:pk>/", views.composer, name="composer"),
    path("drafts/<int:pk>/preview/", views.composer_preview, name="composer_preview"),
    path("drafts/<int:pk>/save/", views.composer_save, name="composer_save"),
    path("drafts/<int:pk>/target/", views.composer_target, name="composer_target"),
    path(
        "drafts/<int:pk>/sections/<slug:prefix>/",
        views.composer_section,
        name="composer_section",
    ),
    path("drafts/<int:pk>/email/", views.email_preview, name="email_preview"),
    path("drafts/<int:pk>/export.json", views.campaign_export, name="campaign_export"),
    path("drafts/<int:pk>/clone/", views.campaign_clone, name="campaign_clone"),
    path("drafts/<int:pk>/archive/", views.campaign_archive, name="campaign_archive"),
    path("drafts/<int:pk>/restore/", views.campaign_restore, name="campaign_restore"),
    path("published/", views.published_list, name="published_list"),
]
