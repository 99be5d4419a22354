"""Accounts: sign-in (passwords, MFA, single sign-on) and personal API tokens."""
