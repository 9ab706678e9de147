from campaigns.forms import fields
from campaigns.forms.base import PayloadForm

SUBJECT_REQUIRED = "An email needs a subject."
BODY_REQUIRED = "An email needs a body (HTML)."
SENDER_REQUIRED = "An email needs a sender name."


class EmailContentForm(PayloadForm):
    """Email: subject, HTML body and sender name are required together."""

    subject = fields.TextField(label="Subject", max_length=1000)
    body = fields.TextField(label="Body (HTML)", textarea=True)
    sender_name = fields.TextField(label="Sender name", max_length=200)
    send_email_to_opted_out_users = fields.BooleanField(
        label="Send to users who opted out of email",
        help_text="Yes overrides the users' communication preferences.",
    )

    paths = {
        "subject": ("content", "subject"),
        "body": ("content", "body"),
        "sender_name": ("content", "sender_name"),
        "send_email_to_opted_out_users": ("send_email_to_opted_out_users",),
    }

    def clean(self):
        data = super().clean()
        for name, message in [
            ("subject", SUBJECT_REQUIRED),
            ("body", BODY_REQUIRED),
            ("sender_name", SENDER_REQUIRED),
        ]:
            if not data.get(name) and name not in self.errors:
                self.add_error(name, message)
        return data
