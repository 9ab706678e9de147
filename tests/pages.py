"""What tests read off the project's URLs and pages: every named route with its arguments, and the
CSRF token a page hands to htmx."""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    kwargs: tuple[str, ...]
    csrf_exempt: bool


def routes(resolver=None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part)
            yield from routes(pattern, route, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            kwargs = re.findall(r"<(?:\w+:)?(\w+)>", route) + re.findall(r"\(\?P<(\w+)>", route)
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield Route(
                name=name,
                route=route,
                kwargs=tuple(kwargs),
                csrf_exempt=getattr(pattern.callback, "csrf_exempt", False),
            )


def csrf_token_from_page(response) -> str:
    """The token htmx sends: the X-CSRFToken in the `hx-headers` JSON on <body>."""
    match = re.search(r"<body[^>]*\shx-headers='([^']*)'", response.content.decode())
    assert match, "the page has no hx-headers on <body>"
    return json.loads(match.group(1))["X-CSRFToken"]
