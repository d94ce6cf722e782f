"""A parsed query's words also found in their other forms, and agency names read as full names.

index.lang parses the query as typed and checks it against its caps; here each bare word becomes
an Or of itself and its other forms (index.forms: the stem without a particle, number and Latin
forms; index.names: an agency's other names), each counted against what MAX_CLAUSES leaves.
The word as typed matches wherever any of its forms does, so a record holding it ranks above one
holding only a form. A phrase in quotes and an excluded word stay as typed.
"""

from __future__ import annotations

from archive.messages import N_

from . import forms, names
from .analysis import query_terms
from .lang import And, Filter, Node, Not, Or, QueryRefused, Text

MAX_FORMS = 4  # other forms a typed word is also looked for by
WEIGHT = 0.2  # of another form's score against the word as typed: a title holding only the stem
# does not outrank a body holding the word as typed (권고안을 의결: Q22 stays first)


def expanded(node: Node, words: set[int], budget: int) -> Node:
    """The tree with each bare word (`words`: their ids) also found in other forms, within `budget` clauses."""
    return _expanded(node, words, [budget])


def _expanded(node, words: set[int], budget: list[int]):
    # an exclusion stays as typed: excluding a stem would drop more than was asked;
    # recursion follows the tree's nesting, which lang.MAX_DEPTH bounds
    if isinstance(node, Text) and id(node) in words:
        return _forms(node, budget)
    if isinstance(node, (And, Or)):
        return type(node)(tuple(_expanded(child, words, budget) for child in node.children))
    return node


def other_forms(word: str) -> list[str]:
    """The word's other forms, best first: its stem, number and Latin forms, then other names."""
    table = names.table()
    stem = forms.stem(word)
    return forms.forms(word) + table.others(word) + (table.others(stem) if stem else [])


def _forms(node: Text, budget: list[int]) -> Node:
    """The word as typed, or an Or of it and up to MAX_FORMS other forms that fit the budget."""
    alternatives, seen = [node], {node.tokens}
    for form in other_forms(node.surface):
        if len(alternatives) > MAX_FORMS:
            break
        tokens = query_terms(form)
        cost = len(tokens) * len(node.fields)
        if not tokens or tokens in seen or cost > budget[0]:
            continue
        budget[0] -= cost
        seen.add(tokens)
        # never a prefix: a stem of one syllable is looked for as itself
        alternatives.append(Text(form, tokens, node.fields, weight=WEIGHT))
    return Or(tuple(alternatives)) if len(alternatives) > 1 else node


def agency(value: str) -> Filter:
    """An agency filter; a short name read as the one full name it stands for, else refused.

    Never wider than asked: a full name, or a name the table does not know, is taken as typed.
    """
    table = names.table()
    if value in table.short:
        return Filter("agency", value)
    full = table.full_names(value)
    if len(full) > 1:
        raise QueryRefused(N_("agency:%(value)s 는 %(names)s 가운데 어느 기관인지 알 수 없습니다; "
                              "정식 이름으로 쓰세요."), value=value, names=", ".join(full))
    return Filter("agency", full[0], asked=value) if full and full[0] != value else Filter("agency", value)


def resolved(node: Node | None) -> list[dict[str, str]]:
    """The filters whose name was read as another (agency:부산시 as 부산광역시): what a page says it used."""
    found, stack = [], [node] if node is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, Filter) and node.asked:
            found.append({"field": node.field, "asked": node.asked, "value": node.value})
        elif isinstance(node, (And, Or)):
            stack.extend(node.children)
        elif isinstance(node, Not):
            stack.append(node.child)
    return found
