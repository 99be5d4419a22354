"""Backup and restore of the whole instance or one organization (see docs/backup.md)."""
