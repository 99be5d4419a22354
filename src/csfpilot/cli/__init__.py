"""The terminal front end. Commands on files never import Django."""
