"""Form bodies read in one pass (`config/form_requests.py`): the same data Django's own request
reads, for any body, and the same refusals."""

import io
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.exceptions import BadRequest, TooManyFieldsSent
from django.core.handlers.wsgi import WSGIRequest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.form_requests import FORM, FormRequest
from tests.processes import python_printed

ROOT = Path(__file__).resolve().parent.parent


def environ(body: bytes, *, content_type: str = FORM, method: str = "POST") -> dict:
    return {
        "REQUEST_METHOD": method,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "PATH_INFO": "/",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
    }


def read(request_class, body: bytes, **kwargs):
    """What the request's POST holds (its keys and lists of values, in order), or the error."""
    request = request_class(environ(body, **kwargs))
    try:
        data = request.POST
    except (TooManyFieldsSent, BadRequest) as error:
        return type(error)
    return list(data.lists()), data.encoding, data._mutable


def same_as_django(body: bytes, **kwargs):
    ours = read(FormRequest, body, **kwargs)
    assert ours == read(WSGIRequest, body, **kwargs)
    return ours


texts = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b-0-c", "x y", "é"]) | texts, texts), max_size=20))
def test_a_form_reads_as_django_reads_it(pairs):
    same_as_django(urlencode(pairs).encode())


@settings(max_examples=150, deadline=None)
@given(
    st.binary(max_size=60)
    | st.lists(st.sampled_from([b"a=1", b"%", b"+", b"&", b"=", b"\xff"])).map(b"".join)
)
def test_any_bytes_read_as_django_reads_them(body):
    same_as_django(body)


def test_a_form_with_repeated_keys_keeps_every_value_in_order():
    lists, encoding, mutable = same_as_django(b"row=2&row=1&name=A+b%26c&empty=&row=3")
    assert lists == [("row", ["2", "1", "3"]), ("name", ["A b&c"]), ("empty", [""])]
    assert encoding == "utf-8" and mutable is False


def test_its_data_cannot_be_changed_in_place():
    data = FormRequest(environ(b"a=1")).POST
    with pytest.raises(AttributeError, match="immutable"):
        data["a"] = "2"


def test_too_many_fields_are_refused_as_django_refuses_them(settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    assert same_as_django(b"a=1&b=2&c=3") != TooManyFieldsSent
    assert same_as_django(b"a=1&b=2&c=3&d=4") == TooManyFieldsSent


@pytest.mark.parametrize(
    ("content_type", "method"),
    [
        (f"{FORM}; charset=UTF-8", "POST"),
        (f"{FORM}; charset=latin-1", "POST"),
        ("application/json", "POST"),
        ("multipart/form-data; boundary=x", "POST"),
        (FORM, "PUT"),
    ],
)
def test_other_bodies_and_charsets_read_as_django_reads_them(content_type, method):
    same_as_django(b"a=1&b=%C3%A9", content_type=content_type, method=method)


def test_the_wsgi_application_reads_requests_with_it():
    script = (
        "from config.wsgi import application\n"
        "from config.form_requests import FormRequest\n"
        "print(application.request_class is FormRequest)\n"
    )
    assert python_printed(script) == "True"
