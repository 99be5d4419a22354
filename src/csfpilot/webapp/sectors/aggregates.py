"""Sector statistics computed by the database: n, mean and quartiles per Function and side.

One query answers a whole sector: every Function and the profile row, on the
Current and the Target side. The quartiles are *continuous* percentiles (linear
interpolation between the two nearest ranks, as PostgreSQL's
``percentile_cont`` and spreadsheets' ``QUARTILE.INC`` compute them):

- PostgreSQL: ``percentile_cont(p) WITHIN GROUP (ORDER BY v)``;
- SQLite, which has no percentile function: each value's rank from a window
  function (``ROW_NUMBER() OVER (PARTITION BY code, side ORDER BY v)``), then,
  for ``x = p·(n−1)``, the values at ranks ``⌊x⌋`` and ``⌊x⌋+1`` picked out by
  conditional aggregation and interpolated — the same formula, in SQL.

Minimum and maximum are left out on purpose: each is one organization's own score.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from csfpilot.webapp.sectors.models import ContributedScore

QUARTILES = (("q1", 0.25), ("median", 0.5), ("q3", 0.75))
SIDES = ("current", "target")


@dataclass(frozen=True)
class Stats:
    """One number's distribution across a sector's organizations (scores in percent)."""

    n: int
    mean: float
    q1: float
    median: float
    q3: float


def _postgresql_sql() -> str:
    table = ContributedScore._meta.db_table
    percentiles = ", ".join(
        f"percentile_cont({p}) WITHIN GROUP (ORDER BY v) AS {name}" for name, p in QUARTILES
    )
    # One (code, side, value) row per organization, Function and side; nulls (nothing
    # assessed on that side) do not count towards n.
    values = " UNION ALL ".join(
        f"SELECT code, '{side}' AS side, {side} AS v FROM {table} "  # noqa: S608 (fixed names)
        f"WHERE sector = %s AND {side} IS NOT NULL"
        for side in SIDES
    )
    return (
        f"SELECT code, side, COUNT(*) AS n, AVG(v) AS mean, {percentiles} "  # noqa: S608
        f"FROM ({values}) AS s GROUP BY code, side"
    )


def _sqlite_side_sql(side: str) -> str:
    table = ContributedScore._meta.db_table
    picks = []
    finals = []
    for name, p in QUARTILES:
        x = f"({p} * (n - 1))"
        lo = f"CAST({x} AS INTEGER)"  # floor: x is never negative
        picks.append(f"MAX(CASE WHEN i = {lo} THEN v END) AS {name}_lo")
        picks.append(f"MAX(CASE WHEN i = {lo} + 1 THEN v END) AS {name}_hi")
        # At the top rank there is no next value: the percentile is the value itself.
        finals.append(
            f"{name}_lo + ({x} - {lo}) * (COALESCE({name}_hi, {name}_lo) - {name}_lo) AS {name}"
        )
    # One side at a time, straight from the table: the (sector, code, side) index hands
    # the rows over in window order, so nothing is sorted. ``whole`` spans the partition,
    # so n comes from the same pass.
    return (
        f"SELECT code, '{side}' AS side, n, mean, {', '.join(finals)} FROM ("  # noqa: S608
        f"SELECT code, MAX(n) AS n, AVG(v) AS mean, {', '.join(picks)} FROM ("
        f"SELECT code, {side} AS v, ROW_NUMBER() OVER ranked - 1 AS i, COUNT(*) OVER whole AS n "
        f"FROM {table} WHERE sector = %s AND {side} IS NOT NULL "
        f"WINDOW ranked AS (PARTITION BY code ORDER BY {side}), "
        f"whole AS (PARTITION BY code ORDER BY {side} "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
        ") AS r GROUP BY code) AS g"
    )


def _sqlite_sql() -> str:
    return " UNION ALL ".join(_sqlite_side_sql(side) for side in SIDES)


def sector_stats(sector: str) -> dict[tuple[str, str], Stats]:
    """``{(code, side): Stats}`` for every Function (and ``""``, the profile) of ``sector``.

    Numbers are returned whatever n is; hiding small groups is the caller's
    rule (:func:`csfpilot.webapp.sectors.queries.benchmark`).
    """
    sql = _postgresql_sql() if connection.vendor == "postgresql" else _sqlite_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [sector] * len(SIDES))
        rows = cursor.fetchall()
    return {
        (code, side): Stats(
            n=int(n), mean=float(mean), q1=float(q1), median=float(median), q3=float(q3)
        )
        for code, side, n, mean, q1, median, q3 in rows
    }
