"""The session engine: Django's database sessions, read with a query written out once
(`raw_reads`): every request of a person logged in reads their session, and the ORM's compiling
of that query cost three times its running. Saving, creating and deleting stay Django's."""

from django.contrib.sessions.backends import db
from django.utils import timezone

from campaigns import raw_reads


class SessionStore(db.SessionStore):
    def load(self) -> dict:
        # Django's query: the session of this key, unless it has expired.
        found = raw_reads.values(
            self.model,
            ["session_data"],
            session_key=self.session_key,
            expire_date__gt=timezone.now(),
        )
        if found is None:
            # As Django's engine: an unknown or expired key is let go (a new one is made on save).
            self._session_key = None
            return {}
        return self.decode(found[0])
