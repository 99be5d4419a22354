"""What the organizations API accepts and returns."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from csfpilot.webapp.organizations.roles import Role


class OrganizationOut(Schema):
    """An organization the caller belongs to, with the caller's role in it."""

    slug: str = Field(description="The organization's fixed short name, used in URLs.")
    name: str
    created: datetime
    role: Role = Field(description="The caller's role in this organization.")
    member_count: int


class OrganizationDetail(OrganizationOut):
    permissions: list[str] = Field(
        description="What the caller may do here (e.g. org.view, profiles.edit); with an API "
        "token, only what both the token's role and the caller's role allow."
    )


class OrganizationIn(Schema):
    name: str = Field(max_length=200, examples=["Example Manufacturing Co."])
    slug: str | None = Field(
        default=None,
        max_length=60,
        description="Lower-case letters, digits and hyphens; made from the name when omitted.",
    )


class OrganizationPatch(Schema):
    name: str = Field(max_length=200)


class MemberOut(Schema):
    id: int = Field(description="The membership's id, used to change or remove it.")
    email: str
    name: str
    role: Role
    since: datetime


class MemberIn(Schema):
    email: str = Field(
        max_length=254,
        description="E-mail address to invite; the answer is the same whether or not an "
        "account uses it.",
    )
    role: Role


class MemberPatch(Schema):
    role: Role


class InvitationOut(Schema):
    """An invitation waiting for the invitee; it becomes a membership only when accepted."""

    id: int = Field(description="The invitation's id, used to revoke it.")
    email: str
    role: Role
    invited_by: str = Field(description="E-mail address of the owner who invited.")
    created: datetime
    expires: datetime
