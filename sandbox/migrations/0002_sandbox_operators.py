from django.contrib.auth.management import create_permissions
from django.db import migrations

from campaigns.roles import SANDBOX_ROLE_PERMISSIONS


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; the group needs its own now.
    sandbox_config = apps.get_app_config("sandbox")
    sandbox_config.models_module = True
    create_permissions(sandbox_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in SANDBOX_ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="sandbox", codename__in=codenames)
        )


def delete_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=SANDBOX_ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("sandbox", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="sandboxfaults",
            options={
                "permissions": [
                    ("operate_sandbox", "Can run the sandbox (its page and fault switch)")
                ],
                "verbose_name": "sandbox faults",
                "verbose_name_plural": "sandbox faults",
            },
        ),
        migrations.RunPython(create_roles, delete_roles),
    ]
