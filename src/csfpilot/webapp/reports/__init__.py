"""Reports in the web app: downloads of every format, and each organization's own template."""
