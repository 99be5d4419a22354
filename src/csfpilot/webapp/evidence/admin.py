"""Evidence is managed on the organization's pages; the admin only lists it for operators."""
