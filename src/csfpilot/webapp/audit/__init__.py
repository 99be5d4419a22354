"""The audit trail: who changed what in an organization, when, from what to what; hash-chained."""
