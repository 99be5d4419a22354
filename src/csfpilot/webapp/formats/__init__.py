"""Date and time formats: ISO 8601 in every language.

Django's own formats differ per language and are ambiguous across them (English
shows 12/06/2026, which a reader elsewhere takes for 12 June). csfpilot's readers
share audit trails, action plans and reports across countries, so every language
shows and accepts one format: 2026-12-06, and 2026-12-06 14:30 for a time.
``FORMAT_MODULE_PATH`` points here; each language's module takes these values.
"""

DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "m-d"
YEAR_MONTH_FORMAT = "Y-m"
DATE_INPUT_FORMATS = ["%Y-%m-%d"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
]
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M"]
