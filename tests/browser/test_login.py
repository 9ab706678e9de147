import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_demo_composer_logs_in_and_sees_the_drafts_page(login, live_server):
    page = login("composer")
    expect(page.get_by_role("heading", name="Drafts")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Review")
    expect(page.get_by_role("button", name="composer")).to_be_visible()
