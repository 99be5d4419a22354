"""The web app as a gunicorn application: its options given in code, the app loaded once.

Apart from :mod:`csfpilot.cli.server` so that gunicorn is imported by ``csfpilot serve``
alone, not by every command.
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from csfpilot.cli import database


class Server(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return database.wsgi_application()
