from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0015_campaign_problem_count")]

    operations = [
        migrations.AlterModelOptions(
            name="whatsapptemplate",
            options={"ordering": ["name", "locale"], "verbose_name": "WhatsApp template"},
        ),
        migrations.AddField(
            model_name="whatsapptemplate",
            name="header_text",
            field=models.TextField(blank=True, help_text="A text header's words, e.g. Hi {{1}}."),
        ),
        migrations.AddField(
            model_name="whatsapptemplate",
            name="body_text",
            field=models.TextField(
                blank=True, help_text="The body's words, with {{1}}, {{2}}... where the values go."
            ),
        ),
        migrations.AddField(
            model_name="whatsapptemplate",
            name="button_texts",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text=(
                    'A list, in button order, e.g. ["Track order: https://shop.example/t/{{1}}"].'
                ),
            ),
        ),
    ]
