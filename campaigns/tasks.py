"""Background tasks: each loads what it needs by id and calls one service.

Run the worker with `uv run manage.py worker`: django_tasks_db's `db_worker` (the database backend
in settings.TASKS), whose identity sends stop between batches and resume after a restart.
"""

from django.tasks import task

from campaigns import models, publishing, review


@task()
def send_batches(attempt_id: int) -> None:
    """Send the waiting batches of an identity send (see `publishing.send_attempt_run`)."""
    attempt = models.PublishAttempt.objects.select_related("campaign", "user").get(pk=attempt_id)
    publishing.send_attempt_run(attempt=attempt)


@task()
def publish_release(hold_id: int) -> None:
    """Send a held publish once its undo window is over (see `review.publish_release`)."""
    hold = models.PublishHold.objects.get(pk=hold_id)
    review.publish_release(hold=hold)
