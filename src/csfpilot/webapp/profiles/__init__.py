"""Organizational and Community Profiles as stored for an organization.

The domain (what a profile is, how it scores, what its gaps and plan are) lives
in :mod:`csfpilot.core.profiles`, :mod:`csfpilot.core.scoring` and
:mod:`csfpilot.core.gaps`. This app stores profiles per organization, keeps
concurrent edits from overwriting each other, and offers the use cases every
front end calls: :mod:`.services` for changes, :mod:`.queries` for reads.
"""
