"""The report's own words in the reader's language.

The keys and English texts are :data:`csfpilot.reports.words.ENGLISH`; the
calls below name each text literally so that the message extractor finds it
(``scripts/extract_messages.py``) and translators see it. A test checks that
both lists hold the same texts.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop, pgettext

from csfpilot.reports.words import translated

# Every report word, for the extractor; the runtime lookup goes through ENGLISH.
MESSAGES = (
    gettext_noop("Board brief"),
    gettext_noop("Detailed workpaper"),
    gettext_noop("CSF Tiers"),
    gettext_noop("Cybersecurity risk governance"),
    gettext_noop("Cybersecurity risk management"),
    gettext_noop("Score per Function"),
    gettext_noop("Largest gaps, by priority × gap"),
    gettext_noop("Trend since the last snapshot"),
    gettext_noop("Action-plan progress"),
    gettext_noop("Outcomes"),
    gettext_noop("Gaps"),
    gettext_noop("Action plan"),
    gettext_noop("Appendix: method and data provenance"),
    gettext_noop("Method"),
    gettext_noop("Data provenance"),
    gettext_noop("Summary"),
    gettext_noop("Function"),
    gettext_noop("Category"),
    gettext_noop("Outcome"),
    gettext_noop("Current"),
    gettext_noop("Target"),
    gettext_noop("Gap"),
    gettext_noop("Rank"),
    gettext_noop("Priority"),
    gettext_noop("Rationale"),
    gettext_noop("Internal practices"),
    gettext_noop("Policies, processes and procedures"),
    gettext_noop("Roles and responsibilities"),
    gettext_noop("Informative references"),
    gettext_noop("Evidence"),
    gettext_noop("Notes"),
    gettext_noop("Considerations"),
    gettext_noop("Included"),
    gettext_noop("Assessed"),
    gettext_noop("Name"),
    gettext_noop("About"),
    gettext_noop("Item"),
    gettext_noop("Value"),
    gettext_noop("Action"),
    gettext_noop("Status"),
    gettext_noop("Due"),
    gettext_noop("Milestone"),
    gettext_noop("Effort"),
    gettext_noop("Controls"),
    gettext_noop("Profile"),
    gettext_noop("Organization"),
    gettext_noop("Scope"),
    gettext_noop("Rating scale"),
    gettext_noop("Roll-up"),
    gettext_noop("Generated"),
    gettext_noop("Framework"),
    gettext_noop("Release"),
    gettext_noop("Publisher"),
    gettext_noop("Source file"),
    gettext_noop("SHA-256 of the source"),
    gettext_noop("Level"),
    gettext_noop("Score"),
    gettext_noop("Before"),
    gettext_noop("Now"),
    gettext_noop("Change"),
    gettext_noop("Yes"),
    gettext_noop("No"),
    gettext_noop("Overdue"),
    gettext_noop("Total"),
    gettext_noop("Closed"),
    gettext_noop("actions closed"),
    gettext_noop("%(count)s overdue"),
    gettext_noop("%(n)s of %(total)s closed (%(p)s%%)"),
    gettext_noop("Closed: done or risk accepted. Overdue: past its due date and not closed."),
    gettext_noop("not assessed"),
    gettext_noop("No outcome is below its target."),
    gettext_noop("The action plan has no actions yet."),
    gettext_noop("No snapshot has been taken yet; the trend starts with the first one."),
    gettext_noop("not set"),
    gettext_noop("Since %(label)s"),
    gettext_noop("%(count)s more outcomes are below target; the workpaper lists every one."),
    gettext_noop("%(count)s outcomes below target"),
    gettext_noop("%(assessed)s of %(included)s included outcomes assessed"),
    gettext_noop(
        "%(count)s included outcomes are not rated on both sides (or not applicable) and have "
        "no gap yet."
    ),
    gettext_noop(
        "Outcomes are rated on the %(scale)s scale; each level has a score from 0 to 100 (not "
        "applicable levels have none and stay out of every mean)."
    ),
    gettext_noop(
        "Category, Function and Profile scores are the mean of the scores of the included, "
        "assessed outcomes beneath them (each outcome counts once, never a mean of means). "
        "Unassessed outcomes are counted, never scored as zero."
    ),
    gettext_noop(
        "Category, Function and Profile scores are the weighted mean of the scores of the "
        "included, assessed outcomes beneath them, each outcome weighted by its target priority "
        "(high 3, medium 2, low 1, unset 1). Unassessed outcomes are counted, never scored as "
        "zero."
    ),
    gettext_noop(
        "An outcome's gap is its target score minus its current score, floored at 0. The "
        "action plan orders gaps by priority weight × gap, largest first."
    ),
    gettext_noop(
        "Outcome ids, statements and groups come from %(framework)s, release %(version)s, "
        "published by %(publisher)s, read from the file below."
    ),
    gettext_noop("Page"),
    gettext_noop("Prepared for"),
    gettext_noop("Current and target score per Function, 0–100"),
    gettext_noop("Tier 1 · Partial"),
    gettext_noop("Tier 2 · Risk Informed"),
    gettext_noop("Tier 3 · Repeatable"),
    gettext_noop("Tier 4 · Adaptive"),
    gettext_noop("equal weights"),
    gettext_noop("weighted by priority"),
    gettext_noop("Results transferred to %(framework)s"),
    gettext_noop(
        "Proposed from this profile's results through %(datasets)s; several "
        "sources into one outcome combine by the %(rule)s rule. Coverage full: an equivalent "
        "or containing source; partial: only subsets, overlaps or references, never proposed "
        "as fully achieved."
    ),
    gettext_noop(
        "%(reached)s outcomes reached, %(proposed)s with a proposed value "
        "(coverage full: %(full)s, partial: %(partial)s)"
    ),
    gettext_noop("Statement"),
    gettext_noop("Proposed current"),
    gettext_noop("Proposed target"),
    gettext_noop("Coverage"),
    gettext_noop("full"),
    gettext_noop("partial"),
    gettext_noop("no rated source"),
    gettext_noop("Sources (current / target, relationship)"),
    gettext_noop("Datasets"),
    gettext_noop("weakest link"),
    gettext_noop("average"),
    gettext_noop("strongest"),
    gettext_noop("equivalent"),
    gettext_noop("superset of"),
    gettext_noop("subset of"),
    gettext_noop("intersects with"),
    gettext_noop("related to"),
    gettext_noop("Evidence register"),
    gettext_noop("Evidence state"),
    gettext_noop("Evidence item"),
    gettext_noop("Kind"),
    gettext_noop(
        "%(supported)s supported, %(unsupported)s unsupported, %(contradicted)s contradicted"
    ),
    gettext_noop("No evidence item is cited by this profile."),
    gettext_noop("Version"),
    gettext_noop("Collected"),
    gettext_noop("Effective from"),
    gettext_noop("Valid until"),
    gettext_noop("Confidentiality"),
    gettext_noop("SHA-256"),
    gettext_noop("Supports"),
    gettext_noop("Review"),
    gettext_noop("Reviewed by"),
    gettext_noop("Scanner findings"),
    gettext_noop("%(passed)s passing, %(failed)s failing (%(serious)s high or critical)"),
    gettext_noop("expired"),
    gettext_noop("Supported"),
    gettext_noop("Unsupported"),
    gettext_noop("Contradicted"),
    gettext_noop("No claim"),
    gettext_noop("Pending review"),
    gettext_noop("Accepted"),
    gettext_noop("Insufficient"),
    gettext_noop("Rejected"),
    gettext_noop("Policy"),
    gettext_noop("Procedure"),
    gettext_noop("Plan"),
    gettext_noop("Record or log"),
    gettext_noop("Configuration"),
    gettext_noop("Screenshot"),
    gettext_noop("Scan result"),
    gettext_noop("Attestation"),
    gettext_noop("Contract"),
    gettext_noop("Training record"),
    gettext_noop("Other"),
    gettext_noop("Public"),
    gettext_noop("Internal"),
    gettext_noop("Confidential"),
    gettext_noop("Restricted"),
)


def report_words() -> dict[str, str]:
    """Every report word in the active language (words with a context use it)."""
    return translated(gettext, pgettext)
