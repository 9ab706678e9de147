"""Every page of the app, in one namespace (`campaigns:`)."""

from django.urls import path

from campaigns.views import (
    audit,
    calendar,
    composer,
    drafts,
    library,
    publishing,
    reports,
    review,
    test_sends,
)

app_name = "campaigns"

urlpatterns = [
    # Drafts
    path("", drafts.draft_list, name="draft_list"),
    path("new/", drafts.campaign_new, name="campaign_new"),
    path("import/", drafts.campaign_import, name="campaign_import"),
    path("drafts/<int:pk>/export.json", drafts.campaign_export, name="campaign_export"),
    path("drafts/<int:pk>/clone/", drafts.campaign_clone, name="campaign_clone"),
    path("drafts/<int:pk>/archive/", drafts.campaign_archive, name="campaign_archive"),
    path("drafts/<int:pk>/restore/", drafts.campaign_restore, name="campaign_restore"),
    path("published/", drafts.published_list, name="published_list"),
    # Every send of a month or a week: drafts, published campaigns and CleverTap's reported ones
    path("calendar/", calendar.calendar_page, name="calendar"),
    # Every campaign of the CleverTap account, from its message reports
    path("clevertap/", reports.clevertap_campaigns, name="clevertap_campaigns"),
    path("clevertap/fetch/", reports.clevertap_fetch, name="clevertap_fetch"),
    # The composer
    path("drafts/<int:pk>/", composer.composer_page, name="composer"),
    path("drafts/<int:pk>/preview/", composer.composer_preview, name="composer_preview"),
    path("drafts/<int:pk>/preview-as/", composer.composer_preview_as, name="composer_preview_as"),
    path("drafts/<int:pk>/save/", composer.composer_save, name="composer_save"),
    path("drafts/<int:pk>/target/", composer.composer_target, name="composer_target"),
    path(
        "drafts/<int:pk>/sections/<slug:prefix>/",
        composer.composer_section,
        name="composer_section",
    ),
    path("drafts/<int:pk>/email/", composer.email_preview, name="email_preview"),
    path("drafts/<int:pk>/identities/", composer.identity_upload, name="identity_upload"),
    # Review
    path("review/", review.queue, name="review_queue"),
    path("drafts/<int:pk>/review/", review.review_page, name="review"),
    path("drafts/<int:pk>/review/guards/", review.review_guards, name="review_guards"),
    path("drafts/<int:pk>/review/submit/", review.submit, name="submit"),
    path("drafts/<int:pk>/review/approve/", review.approve, name="approve"),
    path("drafts/<int:pk>/review/request-changes/", review.request_changes, name="request_changes"),
    path("drafts/<int:pk>/comments/", review.comment_list, name="comments"),
    path(
        "drafts/<int:pk>/comments/<int:comment_pk>/resolve/",
        review.comment_resolve,
        name="comment_resolve",
    ),
    path("drafts/<int:pk>/history/", review.history, name="history"),
    path(
        "drafts/<int:pk>/history/<int:revision_pk>/restore/",
        review.revision_restore,
        name="revision_restore",
    ),
    # Estimating and publishing
    path("campaigns/<int:pk>/estimate/", publishing.estimate, name="estimate"),
    # The composer's reach of the audience typed (its form posted after an audience edit)
    path("drafts/<int:pk>/reach/", publishing.estimate_live, name="estimate_live"),
    path(
        "campaigns/<int:pk>/estimate/<int:estimate_pk>/poll/",
        publishing.estimate_poll,
        name="estimate_poll",
    ),
    path("campaigns/<int:pk>/publish/", publishing.publish, name="publish"),
    path(
        "campaigns/<int:pk>/publish/<int:attempt_pk>/pending/",
        publishing.publish_pending,
        name="publish_pending",
    ),
    path(
        "campaigns/<int:pk>/publish/<int:attempt_pk>/cancel/",
        publishing.publish_cancel,
        name="publish_cancel",
    ),
    path(
        "campaigns/<int:pk>/publish/<int:attempt_pk>/release/",
        publishing.publish_release,
        name="publish_release",
    ),
    path("campaigns/<int:pk>/published/", publishing.published, name="published"),
    path("campaigns/<int:pk>/stop/", publishing.stop, name="stop"),
    path("campaigns/<int:pk>/report/", publishing.report, name="report"),
    path(
        "campaigns/<int:pk>/attempts/<int:attempt_pk>/check/",
        publishing.attempt_check,
        name="attempt_check",
    ),
    path(
        "campaigns/<int:pk>/attempts/<int:attempt_pk>/progress/",
        publishing.send_progress,
        name="send_progress",
    ),
    path(
        "campaigns/<int:pk>/attempts/<int:attempt_pk>/resume/",
        publishing.send_resume,
        name="send_resume",
    ),
    path(
        "campaigns/<int:pk>/batches/<int:batch_pk>/retry/",
        publishing.batch_retry,
        name="batch_retry",
    ),
    # Test sends: each person's own test recipients, and a draft sent to some of them
    path("test-recipients/", test_sends.recipient_list, name="test_recipients"),
    path(
        "test-recipients/<int:recipient_pk>/remove/",
        test_sends.recipient_remove,
        name="test_recipient_remove",
    ),
    path("drafts/<int:pk>/test-send/", test_sends.send_test, name="test_send"),
    # The library: templates and saved audiences
    path("library/templates/", library.template_list, name="template_list"),
    path("library/audiences/", library.audience_list, name="audience_list"),
    path("library/<int:pk>/", library.item_page, name="library_item"),
    path("library/<int:pk>/edit/", library.item_edit, name="library_edit"),
    path(
        "library/<int:pk>/versions/<int:number>/restore/",
        library.version_restore,
        name="library_restore",
    ),
    path("library/<int:pk>/archive/", library.item_archive, name="library_archive"),
    path("library/<int:pk>/delete/", library.item_delete, name="library_delete"),
    path("library/<int:pk>/start/", library.template_start, name="library_start"),
    path("library/export.json", library.library_export, name="library_export"),
    path("library/import/", library.library_import, name="library_import"),
    path("drafts/<int:pk>/library/save/<slug:kind>/", library.draft_save, name="library_save"),
    path("drafts/<int:pk>/library/apply/", library.draft_apply, name="library_apply"),
    # The audit log
    path("audit/", audit.audit_log, name="audit"),
    path("audit.csv", audit.audit_csv, name="audit_csv"),
]
