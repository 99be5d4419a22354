"""Reports: what a board and an auditor read, rendered without a web server.

Everything here depends on :mod:`csfpilot.core` only, so the command line can
render the same report the web app shows. :mod:`csfpilot.reports.charts` draws
the charts as self-contained SVG (no script, no stylesheet, no fonts fetched),
which is why they look the same on a page, on paper and in a PDF.
"""
