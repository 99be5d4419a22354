"""Sessions in the database, read through the identity cache (accounts/identity_cache.py).

Django's database sessions read their row on every request. Here the row is kept in
the identity cache under the current generation, which the database's triggers replace
whenever any session row is added, changed or deleted (a sign-in, a sign-out, the
"sign out everywhere" of the sessions page): a session ended on one worker is ended on
every worker at the next request. Writes go to the database as before.
"""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone

from csfpilot.webapp.accounts import identity_cache


class SessionStore(DatabaseSessionStore):
    def _row(self):  # -> Session | None
        # Expiry is checked on every read, not in the query, so that the cached row
        # stops working at its expiry time like the stored one.
        return self.model.objects.filter(session_key=self.session_key).first()

    def _get_session_from_db(self):
        if not self.session_key:
            self._session_key = None
            return None
        row = identity_cache.cached(
            "session", identity_cache.secret_key(self.session_key), self._row
        )
        if row is None or row.expire_date <= timezone.now():
            self._session_key = None
            return None
        return row
