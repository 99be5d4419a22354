"""Spreadsheet column letters (A, B, ..., Z, AA, ..., ZZZ) and their numbers.

The readers name a cell's column in their refusals ("column C (Outcome)"). openpyxl has
the same two functions, but importing any part of it loads the whole package (about
30 MB resident with lxml), and the modules that only name columns are imported at the
start of every web worker and command.
"""

from __future__ import annotations

import re

MAX_COLUMN = 18278  # ZZZ, the longest name openpyxl accepts
_LETTERS = re.compile(r"^[A-Za-z]{1,3}$")


def column_letter(number: int) -> str:
    """The letters of the 1-based column ``number``.

    >>> column_letter(1), column_letter(28), column_letter(16384)
    ('A', 'AB', 'XFD')
    """
    if not 1 <= number <= MAX_COLUMN:
        raise ValueError(f"Invalid column index {number}")
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def column_number(letters: str) -> int:
    """The 1-based number of the column named ``letters`` (either case).

    >>> column_number("a"), column_number("XFD")
    (1, 16384)
    """
    if not _LETTERS.match(letters):
        raise ValueError(f"{letters!r} is not a valid column name. Column names are from A to ZZZ")
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - ord("A") + 1
    return number
