"""What is loaded, as crosswalk imports ask it (see ``core.catalog.crosswalk_input``)."""

from __future__ import annotations

from csfpilot.core.catalog.crosswalk_input import ElementIds
from csfpilot.webapp.catalog import models as m


class DatabaseFrameworks:
    """:class:`~csfpilot.core.catalog.crosswalk_input.LoadedFrameworks` over the database,
    read once per framework and import."""

    def __init__(self) -> None:
        self._ids: dict[str, ElementIds] = {}
        self._aliases = {a.key: a for a in m.FrameworkAlias.objects.all()}
        self._keys = set(m.Framework.objects.values_list("key", flat=True))

    def resolve_key(self, key: str) -> str | None:
        if key in self._keys:
            return key
        alias = self._aliases.get(key)
        if alias is not None and alias.official_key in self._keys:
            return alias.official_key
        return None

    def renamed_for(self, key: str) -> dict[str, str]:
        """The ids of every copy mapped onto ``key``, read as NIST's."""
        out: dict[str, str] = {}
        for alias in self._aliases.values():
            if alias.official_key == key:
                out.update(alias.renamed)
        return out

    def element_ids(self, key: str) -> ElementIds:
        if key not in self._ids:
            rows = m.Node.objects.filter(framework__key=key).values_list("code", "props")
            codes: set[str] = set()
            by_urn: dict[str, str] = {}
            for code, props in rows:
                codes.add(code)
                urn = (props or {}).get("urn")
                if isinstance(urn, str):
                    by_urn[urn] = code
            self._ids[key] = ElementIds(
                codes=frozenset(codes), by_urn=by_urn, renamed=self.renamed_for(key)
            )
        return self._ids[key]
