from django.urls import path, re_path

from sandbox import api, views

app_name = "sandbox"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("faults/", views.faults_update, name="faults_update"),
    # The CleverTap-compatible API: the same paths as https://<region>.api.clevertap.com/1/...
    path("1/targets/create.json", api.targets_create, name="api_create"),
    path("1/targets/stop.json", api.targets_stop, name="api_stop"),
    path("1/targets/result.json", api.targets_result, name="api_result"),
    path("1/targets/list.json", api.targets_list, name="api_list"),
    path("1/profile.json", api.profile, name="api_profile"),
    path("1/message/report.json", api.message_reports, name="api_message_reports"),
    path("1/send/<str:channel>.json", api.send, name="api_send"),
    re_path(r"^1/(?P<rest>.*)$", api.unknown, name="api_unknown"),
]
