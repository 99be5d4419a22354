"""Crosswalk files from outside: framework libraries' mapping sets, OSCAL mapping
collections, and csfpilot's own crosswalk exports (CSV, Excel, OSCAL).

Each reader returns :class:`~csfpilot.core.catalog.crosswalk_input.PendingCrosswalk`
objects: the rows as the file names them. The database layer looks the two
frameworks up when it stores them, so a crosswalk whose framework is not loaded
is refused naming that framework.
"""
