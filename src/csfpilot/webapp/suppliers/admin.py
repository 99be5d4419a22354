"""Suppliers are managed on the organization's pages and through the API, not the admin."""
