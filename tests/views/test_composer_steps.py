"""The guided composer's steps: their states and lines in the page and with each live preview,
and what "Submit for review" says is missing."""

import re

from django.urls import reverse

from campaigns import step_summaries, steps
from campaigns.forms import audience
from campaigns.models import Status
from campaigns.review import approvals
from campaigns.views import composer as composer_views
from devtools.bench.formdata import submitted_data
from tests.drafts import PUSH_BODY, email_send_body, fresh, new_draft

# No audience: Who has a problem; no goal and no limits: optional, untouched.
NO_AUDIENCE = {key: value for key, value in PUSH_BODY.items() if key != "where"}


def page(client, campaign, query: str = "") -> str:
    url = reverse("campaigns:composer", args=[campaign.pk])
    response = client.get(url + query)
    assert response.status_code == 200
    return response.content.decode()


def step_states(html: str, *, oob: bool = False) -> dict[str, str]:
    """The steps a page shows, or those a live preview's answer swaps (`oob`)."""
    if oob:
        swapped = re.findall(r'<li class="step" [^>]*hx-swap-oob="true"', html)
        if 'id="step-summary" hx-swap-oob="true"' in html:
            swapped = [html.split('id="step-summary" hx-swap-oob="true"')[1].split("</nav>")[0]]
        html = "".join(swapped)
    else:
        html = html.split('id="step-summary"')[1].split("</nav>")[0]
    return dict(re.findall(r'data-step="([^"]+)" data-state="([^"]+)"', html))


def readiness(html: str) -> str:
    return html.split('id="submit-readiness"')[1].split("</div>")[0]


def test_each_step_shows_its_state_and_what_it_says(composer_client, composer_user):
    campaign = new_draft(composer_user, NO_AUDIENCE)

    html = page(composer_client, campaign)

    assert step_states(html) == {
        "campaign": steps.COMPLETE,
        "audience": steps.PROBLEMS,
        "content": steps.COMPLETE,
        "schedule": steps.COMPLETE,
        "goal": steps.UNTOUCHED,
        "delivery": steps.UNTOUCHED,
        "additional": steps.UNTOUCHED,
    }
    assert steps.PROBLEMS_TEXT.format(count=1, plural="") in html
    for line in ("“Spring sale”", step_summaries.NOW, step_summaries.NO_GOAL):
        assert f">{line}</span>" in html
    # Each step is a jump link to its section, under the step's word.
    for prefix, title in [("audience", "Who"), ("content", "What"), ("schedule", "When")]:
        assert f'href="#section-{prefix}"' in html
        assert f'id="section-{prefix}-title">{title}</h2>' in html


def test_the_live_preview_brings_the_steps_up_to_date(composer_client, composer_user):
    campaign = new_draft(composer_user, NO_AUDIENCE)
    data = dict(submitted_data(page(composer_client, campaign)).lists())
    data |= {"audience-who": [audience.EVERYONE], "goal-event_name": ["Charged"]}

    html = composer_client.post(
        reverse("campaigns:composer_preview", args=[campaign.pk]), data
    ).content.decode()

    states = step_states(html, oob=True)
    assert states["audience"] == steps.COMPLETE
    # A goal begun has what it still needs as problems.
    assert states["goal"] == steps.PROBLEMS
    assert f">{step_summaries.EVERYONE}</span>" in html
    assert '<span class="step-text" title="Charged">Charged</span>' in html


def digests(html: str) -> dict[str, str]:
    """The digests a page (or an answer) holds for its steps and its submit line, by input name."""
    return dict(re.findall(rf'name="({steps.SHOWN_INPUT}-[a-z]+)" value="([0-9a-f]+)"', html))


def test_the_live_preview_swaps_a_step_only_when_it_would_show_something_else(
    composer_client, composer_user
):
    campaign = new_draft(composer_user, NO_AUDIENCE)
    url = reverse("campaigns:composer_preview", args=[campaign.pk])
    html = page(composer_client, campaign)
    data = dict(submitted_data(html).lists())
    shown = digests(html)
    assert set(shown) == {steps.shown_input(part) for part in [*step_states(html), steps.SUBMIT]}

    # A change no step shows (the push's body text): the page's steps stand.
    assert data["content-body"] == ["Up to 40% off"]
    unchanged = composer_client.post(url, data | {"content-body": ["Only the body"]})
    assert 'class="step"' not in unchanged.content.decode()
    assert 'id="step-summary"' not in unchanged.content.decode()
    assert 'id="preview"' in unchanged.content.decode()

    # Who is answered: that step comes, with its new digest, and the submit line (one step
    # less to fix); the other steps stand.
    data |= {"audience-who": [audience.EVERYONE]}
    changed = composer_client.post(url, data).content.decode()
    assert step_states(changed, oob=True) == {"audience": steps.COMPLETE}
    assert 'id="submit-readiness"' in changed and steps.READY in changed
    assert 'id="step-summary"' not in changed
    new = digests(changed)
    assert set(new) == {steps.shown_input("audience"), steps.shown_input(steps.SUBMIT)}
    assert new[steps.shown_input("audience")] != shown[steps.shown_input("audience")]

    # Posted back with those digests, the same content swaps nothing; a stale one gets its step.
    data |= {name: [digest] for name, digest in new.items()}
    again = composer_client.post(url, data).content.decode()
    assert 'class="step"' not in again and 'id="submit-readiness"' not in again
    stale = data | {steps.shown_input("schedule"): ["0" * 16]}
    assert step_states(composer_client.post(url, stale).content.decode(), oob=True) == {
        "schedule": steps.COMPLETE
    }

    # A page without the digests of these steps (another API family's) gets the whole summary.
    other = {key: value for key, value in data.items() if key != steps.shown_input("goal")}
    whole = composer_client.post(url, other).content.decode()
    assert 'id="step-summary" hx-swap-oob="true"' in whole
    assert len(step_states(whole, oob=True)) == 7


def test_warnings_show_as_such_and_block_no_submit(composer_client, composer_user):
    body = email_send_body(["not-an-address"])
    campaign = new_draft(composer_user, body, api="send", channel="email")

    html = page(composer_client, campaign)

    assert step_states(html)["audience"] == steps.WARNINGS
    assert steps.WARNINGS_TEXT.format(count=1, plural="") in html
    assert steps.READY in readiness(html)


def test_submit_lists_the_steps_with_problems_as_links(composer_client, composer_user):
    campaign = new_draft(composer_user, NO_AUDIENCE)

    html = readiness(page(composer_client, campaign))

    assert steps.NOT_READY in html and steps.SUBMIT_REFUSED not in html
    assert '<a href="#section-audience">Who (1 problem)</a>' in html


def test_a_draft_without_problems_is_ready_to_submit(composer_client, composer_user):
    campaign = new_draft(composer_user)

    html = page(composer_client, campaign)

    assert steps.READY in readiness(html)
    assert 'aria-describedby="submit-readiness"' in html


def test_a_refused_submit_comes_back_to_the_composer_and_says_what_to_fix(
    composer_client, composer_user
):
    campaign = new_draft(composer_user, NO_AUDIENCE)
    url = reverse("campaigns:submit", args=[campaign.pk])

    response = composer_client.post(url, {"from": "composer"})

    assert response.status_code == 302
    assert response.url == composer_views.submit_refused_url(campaign)
    assert fresh(campaign).status == Status.DRAFT
    response = composer_client.get(response.url)
    html = response.content.decode()
    message = approvals.SUBMIT_HAS_ERRORS.format(count=1, plural="", them="it")
    assert message in [str(m) for m in response.context["messages"]]
    area = readiness(html)
    assert steps.SUBMIT_REFUSED in area and 'role="alert"' in html.split('id="submit-readiness"')[1]
    assert '<a href="#section-audience">Who (1 problem)</a>' in area


def test_a_refused_submit_from_the_review_page_stays_there(composer_client, composer_user):
    campaign = new_draft(composer_user, NO_AUDIENCE)

    response = composer_client.post(reverse("campaigns:submit", args=[campaign.pk]))

    assert response.url == reverse("campaigns:review", args=[campaign.pk])


def test_a_draft_in_review_shows_no_submit_area(composer_client, composer_user):
    campaign = new_draft(composer_user)
    approvals.campaign_submit(campaign=campaign, user=composer_user)

    html = page(composer_client, campaign)

    assert 'id="step-summary"' in html
    assert 'id="submit-readiness"' not in html


def test_problems_in_the_additional_fields_count_there(composer_client, composer_user):
    campaign = new_draft(composer_user)
    data = dict(submitted_data(page(composer_client, campaign)).lists())
    data["additional-extras"] = ["{not json"]

    html = composer_client.post(
        reverse("campaigns:composer_preview", args=[campaign.pk]), data
    ).content.decode()

    # Only that step changes: the others stand as the page shows them.
    assert step_states(html, oob=True) == {"additional": steps.PROBLEMS}
