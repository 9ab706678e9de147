"""Accessibility checks with axe-core, in the page Playwright drives."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

BLOCKING = {"serious", "critical"}


def blocking_violations(page: Page) -> list[str]:
    page.wait_for_load_state("networkidle")
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5] if node["target"])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]
