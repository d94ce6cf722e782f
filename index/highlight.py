"""Snippets: matched passages of public text with the matches marked.

Overlapping bigrams (서울, 울협, 협치) are merged into one marked span, so that a reader
sees <mark>서울협치</mark>, not broken pieces.
"""

from __future__ import annotations

from markupsafe import escape
from whoosh import highlight


class MergedMarkFormatter(highlight.Formatter):
    """Wrap merged runs of matched tokens in <mark>, escaping everything else."""

    between = " … "

    def format_fragment(self, fragment, replace=False):
        spans: list[list[int]] = []
        for token in sorted(fragment.matches, key=lambda t: t.startchar):
            if spans and token.startchar <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], token.endchar)
            else:
                spans.append([token.startchar, token.endchar])
        text, out, index = fragment.text, [], fragment.startchar
        for start, end in spans:
            start, end = max(start, index), min(end, fragment.endchar)
            if start >= end:
                continue
            out.append(str(escape(text[index:start])))
            out.append(f"<mark>{escape(text[start:end])}</mark>")
            index = end
        out.append(str(escape(text[index : fragment.endchar])))
        return "".join(out).replace("\n", " ")


def configure(results, maxchars: int = 220, surround: int = 60) -> None:
    """Set how the hits of a result page build their snippets."""
    results.fragmenter = highlight.ContextFragmenter(maxchars=maxchars, surround=surround)
    results.formatter = MergedMarkFormatter()
