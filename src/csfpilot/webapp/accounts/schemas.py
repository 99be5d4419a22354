"""What the API tokens endpoints accept and return."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from csfpilot.webapp.accounts.services import DEFAULT_DAYS, MAX_DAYS
from csfpilot.webapp.organizations.roles import Role


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The token's first characters, to recognise it.")
    organization: str = Field(description="Slug of the one organization the token works in.")
    role: Role = Field(description="The most the token may do; never more than your role.")
    created: datetime
    expires: datetime
    last_used: datetime | None
    revoked: datetime | None
    state: str = Field(description="active, expired or revoked.")


class TokenCreated(TokenOut):
    token: str = Field(
        description="The secret. Shown only in this response; send it as "
        "'Authorization: Bearer <token>'. Only its SHA-256 is kept."
    )


class TokenIn(Schema):
    name: str = Field(max_length=100, examples=["CI export job"])
    organization: str = Field(description="Slug of one of your organizations.")
    role: Role
    days: int = Field(default=DEFAULT_DAYS, ge=1, le=MAX_DAYS, description="Lifetime in days.")
