"""Team review: a draft's revisions, the approvals bound to one exact body, the guards a publish
must pass, and the comments beside it.

- `revisions`: every saved version of a draft, and the body a review compares with;
- `approvals`: submit, approve, request changes, and what a save or an archive means for them;
- `guards`: the approvals standing for the draft's exact body, and what refuses a publish;
- `comments`: comments on a draft, a section or a field path, resolved once dealt with, and
  where the composer shows them.

States: draft -> in review -> approved -> published -> stopped; "request changes" and any change
of the body send a draft back to draft; archived from any state but published.

Writes are keyword-only functions that check the permission first (PermissionDenied) and raise
ReviewError with a message for people.
"""


class ReviewError(Exception):
    """A refusal with a message for people (`str(error)`)."""
