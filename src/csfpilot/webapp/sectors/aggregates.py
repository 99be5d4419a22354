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

Only organizations the operator or the sector's steward approved count (see
:mod:`.disclosure`). The same query also returns each number's total and its two
largest and two smallest values, which the disclosure rule needs; they never leave
the server (minimum and maximum are each one organization's own score).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from csfpilot.webapp.sectors.disclosure import TOP, Extremes
from csfpilot.webapp.sectors.models import ContributedScore, MemberStatus, SectorMember

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
    # For the disclosure rule only; never shown (see csfpilot.webapp.sectors.disclosure).
    extremes: Extremes


def _approved() -> str:
    """SQL: the organization's contribution counts only if it is approved in the sector."""
    table = SectorMember._meta.db_table
    return (
        f"contribution_id IN (SELECT organization_id FROM {table} "  # noqa: S608 (fixed names)
        f"WHERE sector = %s AND status = '{MemberStatus.APPROVED.value}')"
    )


def _postgresql_sql() -> str:
    table = ContributedScore._meta.db_table
    percentiles = ", ".join(
        f"percentile_cont({p}) WITHIN GROUP (ORDER BY v) AS {name}" for name, p in QUARTILES
    )
    # One (code, side, value) row per organization, Function and side; nulls (nothing
    # assessed on that side) do not count towards n.
    values = " UNION ALL ".join(
        f"SELECT code, '{side}' AS side, {side} AS v FROM {table} "  # noqa: S608 (fixed names)
        f"WHERE sector = %s AND {side} IS NOT NULL AND {_approved()}"
        for side in SIDES
    )
    extremes = (
        "SUM(v) AS total, MAX(v) AS top, (array_agg(v ORDER BY v DESC))[2] AS second, "
        "MIN(v) AS bottom, (array_agg(v ORDER BY v))[2] AS second_bottom"
    )
    return (
        f"SELECT code, side, COUNT(*) AS n, AVG(v) AS mean, {percentiles}, {extremes} "  # noqa: S608
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
    picks += [
        "SUM(v) AS total",
        "MAX(CASE WHEN i = n - 1 THEN v END) AS top",
        "MAX(CASE WHEN i = n - 2 THEN v END) AS second",
        "MAX(CASE WHEN i = 0 THEN v END) AS bottom",
        "MAX(CASE WHEN i = 1 THEN v END) AS second_bottom",
    ]
    finals += ["total", "top", "second", "bottom", "second_bottom"]
    # One side at a time, straight from the table: the (sector, code, side) index hands
    # the rows over in window order, so nothing is sorted. ``whole`` spans the partition,
    # so n comes from the same pass.
    return (
        f"SELECT code, '{side}' AS side, n, mean, {', '.join(finals)} FROM ("  # noqa: S608
        f"SELECT code, MAX(n) AS n, AVG(v) AS mean, {', '.join(picks)} FROM ("
        f"SELECT code, {side} AS v, ROW_NUMBER() OVER ranked - 1 AS i, COUNT(*) OVER whole AS n "
        f"FROM {table} WHERE sector = %s AND {side} IS NOT NULL AND {_approved()} "
        f"WINDOW ranked AS (PARTITION BY code ORDER BY {side}), "
        f"whole AS (PARTITION BY code ORDER BY {side} "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
        ") AS r GROUP BY code) AS g"
    )


def _sqlite_sql() -> str:
    return " UNION ALL ".join(_sqlite_side_sql(side) for side in SIDES)


def sector_stats(sector: str) -> dict[tuple[str, str], Stats]:
    """``{(code, side): Stats}`` for every Function (and ``""``, the profile) of ``sector``,
    over the organizations approved in it.

    Numbers are returned whatever n is; withholding them is the caller's rule
    (:func:`csfpilot.webapp.sectors.disclosure.verdict`).
    """
    sql = _postgresql_sql() if connection.vendor == "postgresql" else _sqlite_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [sector] * (2 * len(SIDES)))
        rows = cursor.fetchall()
    out = {}
    for code, side, n, mean, q1, median, q3, total, top, second, bottom, second_bottom in rows:
        out[(code, side)] = Stats(
            n=int(n),
            mean=float(mean),
            q1=float(q1),
            median=float(median),
            q3=float(q3),
            extremes=Extremes(
                n=int(n),
                total=float(total),
                top=float(top),
                second=0.0 if second is None else float(second),
                bottom=float(bottom),
                second_bottom=TOP if second_bottom is None else float(second_bottom),
            ),
        )
    return out
