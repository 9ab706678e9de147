"""The pages, as function views: each binds its form, calls one service or selector, and renders.

Permissions are checked first, in the view's body (`roles.require_any`), before anything is read or
rendered, and again in the services. The htmx endpoints answer fragments of their page
(`page.html#name`); every form also works as a plain POST that answers a whole page or redirects.
"""
