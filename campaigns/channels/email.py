"""Email: content (subject, HTML body, sender name), the preview of the email in a sandboxed frame
that loads nothing remote until asked, and the registry's facts.
"""

from campaigns import previews
from campaigns.forms import fields
from campaigns.forms.base import PayloadForm
from campaigns.forms.options import AccountOptions
from campaigns.models import Channel

SUBJECT_REQUIRED = "An email needs a subject."
BODY_REQUIRED = "An email needs a body (HTML)."
SENDER_REQUIRED = "An email needs a sender name."

# The preview's own policy, inside the sandboxed frame: nothing remote loads (tracking pixels
# included) until the person asks for remote images.
CSP_BLOCKED = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
CSP_REMOTE = "default-src 'none'; img-src https: data:; style-src 'unsafe-inline'"


class EmailContentForm(PayloadForm):
    """Email: subject, HTML body and sender name are required together."""

    subject = fields.TextField(label="Subject", max_length=1000)
    body = fields.TextField(label="Body (HTML)", textarea=True)
    sender_name = fields.TextField(label="Sender name", max_length=200)
    send_email_to_opted_out_users = fields.BooleanField(
        label="Send to people who opted out of email",
        default="no",
        help_text="Yes overrides their communication preferences.",
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


# The preview.


def srcdoc(html: str, *, remote_images: bool) -> str:
    """The email as a document for a sandboxed iframe, under a policy that blocks remote content.

    The policy comes first so that it governs everything the email itself holds.
    """
    policy = CSP_REMOTE if remote_images else CSP_BLOCKED
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        "</head><body>" + html + "</body></html>"
    )


def preview(
    body: dict, *, options: AccountOptions | None = None, remote_images: bool = False
) -> dict:
    content = previews.at(body, "content", kind=dict) or {}
    html = previews.text_at(content, "body")
    return {
        "subject": previews.text_at(content, "subject"),
        "sender_name": previews.text_at(content, "sender_name"),
        "html": html,
        "srcdoc": srcdoc(html, remote_images=remote_images),
        "remote_images": remote_images,
        "has_remote": "http://" in html or "https://" in html or "//" in html,
    }


# What the channel registry reads (campaigns/channels/registry.py says what each is).

CHANNEL = Channel.EMAIL
DESCRIPTION = "An email to each person's address"
TARGETS_FORM = EmailContentForm
SEND_FORM = EmailContentForm
PARTIAL = "email"
ESTIMATE_KEYS = ("email",)
SEND_MARKS = {("content", "subject"): 5, ("content", "sender_name"): 5}
