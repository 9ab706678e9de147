"""What a browser would post for a rendered form: the HTML form serialization rules, in Python.

The tests use it to check that the forms show every value exactly (render, "submit" unchanged,
rebuild); the benchmark uses it to post the composer form as a browser would.
"""

from html.parser import HTMLParser

from django.http import QueryDict

_CONTROLS = {"input", "textarea", "select"}


class _FormSerializer(HTMLParser):
    def __init__(self, form_id: str | None = None):
        super().__init__(convert_charrefs=True)
        self.pairs: list[tuple[str, str]] = []
        self._form_id = form_id
        self._open_form: str | None = None
        self._textarea: str | None = None
        self._text = ""
        self._select: dict | None = None
        self._option: dict | None = None

    def _outside(self, attrs: dict) -> bool:
        """Whether a control belongs to another form than the one asked for (`form=` wins)."""
        if self._form_id is None:
            return False
        return attrs.get("form", self._open_form) != self._form_id

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._open_form = attrs.get("id") or ""
            return
        if "disabled" in attrs or (tag in _CONTROLS and self._outside(attrs)):
            return
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            name = attrs.get("name")
            if not name or kind in {"submit", "button", "reset", "file", "image"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.pairs.append((name, attrs.get("value") or "on"))
                return
            value = attrs.get("value") or ""
            if kind in {"text", "search", "url", "tel", "email", "password", "hidden"}:
                # Browsers strip line breaks from one-line inputs' values.
                value = value.replace("\r", "").replace("\n", "") if kind != "hidden" else value
            self.pairs.append((name, value))
        elif tag == "textarea" and attrs.get("name"):
            self._textarea, self._text = attrs["name"], ""
        elif tag == "select" and attrs.get("name"):
            self._select = {"name": attrs["name"], "options": [], "multiple": "multiple" in attrs}
        elif tag == "option" and self._select is not None:
            self._option = {
                "value": attrs.get("value"),
                "selected": "selected" in attrs,
                "text": "",
            }
            self._select["options"].append(self._option)

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data
        elif self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._open_form = None
        elif tag == "textarea" and self._textarea is not None:
            # Browsers drop one newline right after <textarea> and post line breaks as CRLF.
            text = self._text[1:] if self._text.startswith("\n") else self._text
            self.pairs.append((self._textarea, text.replace("\r\n", "\n").replace("\n", "\r\n")))
            self._textarea = None
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            options = self._select["options"]
            chosen = [option for option in options if option["selected"]]
            if not chosen and options and not self._select["multiple"]:
                chosen = options[:1]
            for option in chosen:
                value = option["value"] if option["value"] is not None else option["text"]
                self.pairs.append((self._select["name"], value))
            self._select = None


def submitted_pairs(html: str, *, form_id: str | None = None) -> list[tuple[str, str]]:
    """(name, value) pairs in document order, as a browser submits them. With `form_id`, only
    the controls of that form; without, every control in `html`."""
    serializer = _FormSerializer(form_id)
    serializer.feed(html)
    serializer.close()
    return serializer.pairs


class _InputFinder(HTMLParser):
    def __init__(self, element_id: str):
        super().__init__(convert_charrefs=True)
        self.element_id = element_id
        self.pair: tuple[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("id") == self.element_id and attrs.get("name"):
            self.pair = (attrs["name"], attrs.get("value") or "")


def input_pair(html: str, element_id: str) -> tuple[str, str] | None:
    """The (name, value) of the <input> of this id in `html` (as htmx includes one element by
    its id, `hx-include="#id"`), or None when `html` has none."""
    if element_id not in html:
        # Most preview answers swap no included input: no parsing (the benchmark's client
        # shares the server's CPUs).
        return None
    finder = _InputFinder(element_id)
    finder.feed(html)
    finder.close()
    return finder.pair


def submitted_data(html: str, *, form_id: str | None = None) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in submitted_pairs(html, form_id=form_id):
        data.appendlist(name, value)
    return data
