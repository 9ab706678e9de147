from django import forms
from django.core.exceptions import ValidationError

from sandbox import faults
from sandbox.models import SandboxFaults


class FaultsForm(forms.ModelForm):
    class Meta:
        model = SandboxFaults
        fields = [
            "latency_ms",
            "error_rate",
            "error_status",
            "drop_rate",
            "malformed_rate",
            "seed",
        ]
        widgets = {
            "error_rate": forms.NumberInput(attrs={"step": "0.05", "min": 0, "max": 1}),
            "drop_rate": forms.NumberInput(attrs={"step": "0.05", "min": 0, "max": 1}),
            "malformed_rate": forms.NumberInput(attrs={"step": "0.05", "min": 0, "max": 1}),
        }

    def clean(self):
        cleaned = super().clean()
        shares = [cleaned.get(name) for name in ("error_rate", "drop_rate", "malformed_rate")]
        if all(share is not None for share in shares) and sum(shares) > 1.0 + 1e-9:
            raise ValidationError(faults.ERROR_SHARES_OVER_ONE)
        return cleaned
