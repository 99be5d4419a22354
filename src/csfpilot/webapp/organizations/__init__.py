"""Organizations as tenants, memberships with roles, and the permission layer."""
