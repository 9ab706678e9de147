from django.db import migrations, models


def count_problems(apps, schema_editor):
    """Count the problems of the drafts saved before the count was stored, with the validator
    every save now uses, so that the list shows their readiness at once."""
    from campaigns import selectors

    Campaign = apps.get_model("campaigns", "Campaign")
    drafts = Campaign.objects.filter(problem_count=None).only("pk", "api", "channel", "body")
    for draft in drafts.iterator(chunk_size=100):
        errors = selectors.body_errors(draft.body, api=draft.api, channel=draft.channel)
        Campaign.objects.filter(pk=draft.pk).update(problem_count=len(errors))


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0014_recipient_check")]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="problem_count",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(count_problems, migrations.RunPython.noop),
    ]
