import json

from django.db import migrations, models


def move_lists(apps, schema_editor):
    """Move the identity lists of the drafts and revisions saved before into their own table,
    each list stored once."""
    from campaigns.models import identity_lists

    IdentityList = apps.get_model("campaigns", "IdentityList")
    for name in ("Campaign", "Revision"):
        model = apps.get_model("campaigns", name)
        rows = model.objects.filter(identity_list=None).only("pk", "stored_body")
        for row in rows.iterator(chunk_size=20):
            to = row.stored_body.get("to") if isinstance(row.stored_body, dict) else None
            if not identity_lists.listable(to):
                continue
            text = identity_lists.compact(to)
            listed, _ = IdentityList.objects.get_or_create(
                sha256=identity_lists.content_hash(to),
                defaults={
                    "identities": text,
                    "total": sum(map(len, to.values())),
                    "counts": {kind: len(values) for kind, values in to.items()},
                },
            )
            body = {**row.stored_body, "to": {identity_lists.MARKER: listed.sha256}}
            model.objects.filter(pk=row.pk).update(stored_body=body, identity_list=listed)


def restore_lists(apps, schema_editor):
    for name in ("Campaign", "Revision"):
        model = apps.get_model("campaigns", name)
        rows = model.objects.exclude(identity_list=None).select_related("identity_list")
        for row in rows.iterator(chunk_size=20):
            body = {**row.stored_body, "to": json.loads(row.identity_list.identities)}
            model.objects.filter(pk=row.pk).update(stored_body=body, identity_list=None)


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0016_whatsapp_template_text")]

    operations = [
        migrations.CreateModel(
            name="IdentityList",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sha256", models.CharField(max_length=64, unique=True)),
                ("identities", models.TextField()),
                ("total", models.PositiveIntegerField()),
                ("counts", models.JSONField(default=dict)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        # The column stays "body"; the field that reads it is the stored body.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField("campaign", "body", "stored_body"),
                migrations.AlterField(
                    model_name="campaign",
                    name="stored_body",
                    field=models.JSONField(blank=True, db_column="body", default=dict),
                ),
                migrations.RenameField("revision", "body", "stored_body"),
                migrations.AlterField(
                    model_name="revision",
                    name="stored_body",
                    field=models.JSONField(blank=True, db_column="body", default=dict),
                ),
            ]
        ),
        migrations.AddField(
            model_name="campaign",
            name="identity_list",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="campaigns.identitylist",
            ),
        ),
        migrations.AddField(
            model_name="revision",
            name="identity_list",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="campaigns.identitylist",
            ),
        ),
        migrations.RunPython(move_lists, restore_lists),
    ]
