from django.urls import path

from campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("", views.draft_list, name="draft_list"),
    path("review/", views.review_queue, name="review_queue"),
    path("published/", views.published_list, name="published_list"),
]
