"""The forms of the test recipients page and of a draft's test send."""

from django import forms

from campaigns import test_recipients, test_send_payload
from campaigns.models import RecipientKind

CHOSEN_GONE = "A recipient you chose is no longer in your list: reload the page and choose again."
VALUE_REQUIRED = "Type the email address or the identity the test goes to."


class RecipientForm(forms.Form):
    """One more of the user's test recipients: an email address or an identity, with a label
    (whether the value can name one is the service's rule: `test_recipients.recipient_add`)."""

    kind = forms.ChoiceField(
        label="Send to",
        choices=RecipientKind.choices,
        initial=RecipientKind.EMAIL,
        widget=forms.RadioSelect,
    )
    value = forms.CharField(
        label="Email address or identity",
        max_length=254,
        error_messages={"required": VALUE_REQUIRED},
        help_text="The identity is the one your app sets for you in CleverTap (Identity).",
    )
    label = forms.CharField(
        label="Label",
        max_length=80,
        required=False,
        help_text="So you know which device or inbox it is, e.g. “my iPhone”.",
    )


class TestSendForm(forms.Form):
    """Which of the user's own test recipients a test goes to (1 to 25 of them)."""

    __test__ = False

    recipients = forms.ModelMultipleChoiceField(
        label="Send the test to",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"invalid_choice": CHOSEN_GONE, "invalid_pk_value": CHOSEN_GONE},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["recipients"]
        field.queryset = test_recipients.recipient_list(user=user)
        field.label_from_instance = _recipient_label

    def clean_recipients(self):
        chosen = list(self.cleaned_data["recipients"])
        if refusal := test_send_payload.recipients_refusal(len(chosen)):
            raise forms.ValidationError(refusal)
        return chosen


def _recipient_label(recipient) -> str:
    kind = recipient.get_kind_display().lower()
    return (
        f"{recipient.label}: {recipient.value} ({kind})"
        if recipient.label
        else (f"{recipient.value} ({kind})")
    )
