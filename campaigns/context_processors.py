from django.conf import settings
from django.http import HttpRequest


def studio(request: HttpRequest) -> dict:
    return {"sandbox_enabled": settings.SANDBOX_ENABLED}
