"""Each form instance's copy of its fields (`fields.copy_field`): what Django's own copy gives,
made faster; nothing a form instance changes reaches its class or another instance."""

import copy

import pytest
from django import forms

from campaigns.forms import fields
from campaigns.forms.fields import FieldsCopiedMetaclass, QuickCopyForm


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def _form_classes():
    # Importing the URLs imports every form the app has.
    import config.urls  # noqa: F401

    quick = {
        cls for cls in _all_subclasses(forms.BaseForm) if isinstance(cls, FieldsCopiedMetaclass)
    }
    return sorted(quick, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def _fields():
    return [
        pytest.param(form, name, id=f"{form.__module__}.{form.__qualname__}.{name}")
        for form in _form_classes()
        for name in form.base_fields
    ]


def _state(value):
    """What a copy must carry over, by value: every attribute, its widgets' too."""
    if isinstance(value, (forms.Field, forms.Widget)):
        return (type(value), _state(vars(value)))
    if isinstance(value, dict):
        return {key: _state(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_state(item) for item in value]
    return value


def test_the_app_has_quickly_copied_forms_of_every_kind():
    names = {cls.__name__ for cls in _form_classes()}
    assert {"ComposerForm", "AdditionalFieldsForm", "PushContentForm", "RowCounts"} <= names


@pytest.mark.parametrize(("form", "name"), _fields())
def test_a_copied_field_equals_djangos_copy_and_shares_nothing_that_changes(form, name):
    field = form.base_fields[name]
    quick = fields.copy_field(field, {})
    django_copy = copy.deepcopy(field)
    assert type(quick) is type(field)
    assert _state(quick) == _state(django_copy)
    for copied in (quick, django_copy):
        assert copied.widget is not field.widget
        assert copied.widget.attrs is not field.widget.attrs
        assert copied.error_messages is not field.error_messages
        assert copied.validators is not field.validators
    if isinstance(field, forms.ChoiceField):
        assert quick._choices is not field._choices
        assert quick.widget.choices is not field.widget.choices


def test_what_a_form_instance_changes_stays_in_that_instance():
    from campaigns.composer import ComposerForm

    first = ComposerForm()
    first.fields["api"].widget.attrs["data-changed"] = "yes"
    first.fields["channel"].widget.choices = [("x", "X")]
    first.fields["api"].error_messages["required"] = "Changed"
    second = ComposerForm()
    assert "data-changed" not in second.fields["api"].widget.attrs
    assert "data-changed" not in ComposerForm.base_fields["api"].widget.attrs
    assert second.fields["channel"].widget.choices != [("x", "X")]
    assert second.fields["api"].error_messages["required"] != "Changed"


def test_a_widget_that_copies_more_of_itself_is_copied_its_own_way():
    class Dates(QuickCopyForm):
        when = forms.SplitDateTimeField()

    first, second = Dates(), Dates()
    assert first.fields["when"].widget.widgets[0] is not second.fields["when"].widget.widgets[0]
    first.fields["when"].widget.widgets[0].attrs["class"] = "changed"
    assert "class" not in second.fields["when"].widget.widgets[0].attrs


def test_a_field_that_adds_to_its_copy_is_copied_its_own_way():
    class Tagged(fields.TextField):
        def __deepcopy__(self, memo):
            result = super().__deepcopy__(memo)
            result.tags = list(self.tags)
            return result

    class Tags(QuickCopyForm):
        name = Tagged(label="Name")

    Tags.base_fields["name"].tags = ["kept"]
    first, second = Tags(), Tags()
    first.fields["name"].tags.append("changed")
    assert second.fields["name"].tags == ["kept"]
    assert Tags.base_fields["name"].tags == ["kept"]
