"""Estimating and publishing: every side effect that talks to CleverTap.

- `estimates`: the reach of a saved draft (asked of CleverTap, or counted for identity lists);
- `confirm`: the confirmation step and the signed token that binds a publish to what was shown;
- `recipients`: an identity send's list checked against CleverTap's profiles (a random sample);
- `attempts`: a publish recorded before anything is sent, its undo window, the create request;
- `sends`: identity sends, in batches of at most 1000, by the background worker;
- `followup`: after publishing: check an unknown outcome, stop, report;
- `test_sends`: a draft's content sent now to its sender's own test recipients;
- `records`: what every operation writes down (each CleverTap call, the move to published).

What is sent is always the draft's own body (`campaign.body`, the one the composer built and the
preview shows). Call these functions outside `transaction.atomic()`: they commit their records
before calling CleverTap, so that the record exists whatever happens to the call.
"""


class PublishingError(Exception):
    """A refusal or failure with a message for people (`str(error)`)."""
