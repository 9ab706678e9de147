import gc
import os

from django.core.wsgi import get_wsgi_application

from config.form_requests import FormRequest
from config.garbage import collect_between_requests

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()
# Form bodies read in one pass (`config/form_requests.py`).
application.request_class = FormRequest

# What start-up made (Django, the apps, their models and admin) lives as long as the process: the
# garbage collector skips it from now on instead of walking it on every full collection.
gc.freeze()
# The cycles each request leaves are collected once its answer is sent (`config/garbage.py`).
collect_between_requests()
