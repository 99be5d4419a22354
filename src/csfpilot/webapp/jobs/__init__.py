"""Background jobs: long work (imports, sector recomputes, reports) run by `csfpilot worker`."""
