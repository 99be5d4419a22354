"""What each side of a mapping says: a requirement's text, an outcome's document.

A *source requirement* is one element of the framework being mapped (an SP
800-53 control, a CIS Safeguard, a clause of a regulation); its text is its
title and statement. A *target outcome* is one element a requirement can be
mapped to (a CSF 2.0 Subcategory); its document is its outcome statement
together with the Category and Function it sits in (their titles and
statements carry the subject: "Data Security", "Incident Analysis") and
NIST's Implementation Examples, which say in practical words what the short
statement means.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from csfpilot.core.catalog.model import Catalog, Node


@dataclass(frozen=True, slots=True)
class OutcomeDocument:
    """The text of one target element, in the parts the scorers weigh differently."""

    code: str
    statement: str  # the element's own title and statement
    context: str  # titles and statements of the groups above it
    examples: tuple[str, ...]  # NIST's Implementation Examples, one text each

    @property
    def full(self) -> str:
        return " ".join((self.statement, self.context, *self.examples))


# SP 800-53's parameters: "[Assignment: organization-defined frequency]" says
# "frequency"; "[Selection (one or more): remove; disable]" says "remove disable".
_PARAMETER = re.compile(
    r"\[(?:Assignment|Selection)[^:\]]*:\s*(?:organization-defined\s+)?([^\]]*)\]"
)


# What the scorers read of one requirement at most: an imported framework is hostile
# input, and a megabyte-long "requirement" must not stall the tokenizers. SP 800-53's
# longest statement with its discussion is under 8,000 characters.
MAX_TEXT = 8000


def requirement_text(node: Node) -> str:
    """A requirement's title and statement (the words a reviewer reads), parameters unwrapped."""
    text = " ".join(p for p in (node.title, node.text) if p).strip()[:MAX_TEXT]
    return _PARAMETER.sub(lambda m: m.group(1).replace(";", ""), text)


# Explanations that come with a requirement in some catalogs (SP 800-53's
# "Discussion", a CISO Assistant library's annotation): more words on the subject.
GUIDANCE_PROPS = ("guidance", "annotation", "typical_evidence")


def query_text(node: Node) -> str:
    """The requirement with its guidance: what the lexical scorer searches with."""
    extra = [str(node.props[k]) for k in GUIDANCE_PROPS if isinstance(node.props.get(k), str)]
    return " ".join((requirement_text(node), *extra))[:MAX_TEXT]


def assessable(nodes: Iterable[Node] | Catalog, outcome_level: str = "") -> list[Node]:
    """The elements that get suggestions: the ones an organization assesses.

    A framework that names its outcome level (CSF: Subcategories) gives those.
    Otherwise every element below the top level that is not withdrawn and says
    something (SP 800-53 controls and enhancements, CIS Safeguards): the top
    level (families, Functions, CIS Controls) only groups.
    """
    if isinstance(nodes, Catalog):
        outcome_level = outcome_level or nodes.info.outcome_level
        levels = nodes.info.levels
        nodes = nodes.nodes
    else:
        nodes = list(nodes)
        levels = tuple(dict.fromkeys(n.level for n in nodes if n.parent is None))
    active = [n for n in nodes if not n.withdrawn]
    if outcome_level:
        return [n for n in active if n.level == outcome_level]
    top = set(levels[:1]) if len({n.level for n in active}) > 1 else set()
    return [n for n in active if n.level not in top and (n.title or n.text or n.parent)]


def target_outcomes(nodes: Sequence[Node], outcome_level: str = "") -> list[Node]:
    """The elements a requirement can be mapped to.

    With an outcome level, those; otherwise the leaves (elements nothing else
    sits under), never withdrawn ones.
    """
    if outcome_level:
        return [n for n in nodes if n.level == outcome_level and not n.withdrawn]
    parents = {n.parent for n in nodes if n.parent is not None}
    return [n for n in nodes if n.code not in parents and not n.withdrawn]


def outcome_documents(nodes: Sequence[Node], targets: Sequence[Node]) -> list[OutcomeDocument]:
    """One document per target element, with its groups' words and its examples."""
    by_code: Mapping[str, Node] = {n.code: n for n in nodes}
    docs: list[OutcomeDocument] = []
    for node in targets:
        context: list[str] = []
        parent = node.parent
        while parent is not None and parent in by_code:
            group = by_code[parent]
            context.extend(p for p in (group.title, group.text) if p)
            parent = group.parent
        docs.append(
            OutcomeDocument(
                code=node.code,
                statement=requirement_text(node),
                context=" ".join(context),
                examples=tuple(e.text for e in node.examples if e.text),
            )
        )
    return docs
