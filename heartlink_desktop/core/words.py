"""Small text helpers for the facilitator: words, content words, shared interests."""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")

STOPWORDS = frozenset(
    """
    a about above after again against all almost also although always am an and any anyone anything
    are aren't around as at away back be because been before being below between both but by can
    can't cannot come could couldn't did didn't do does doesn't doing don't done down during each
    else even ever every few for from further get gets getting go goes going gone good got gotta
    great guess had hadn't has hasn't have haven't having he he's her here here's hers herself him
    himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself just kind know
    let let's like likes liked little lot lots make makes made many maybe me mean might mine more
    most much must my myself need never no nor not nothing now of off oh ok okay on once one only or
    other ought our ours ourselves out over own pretty quite really right said same say says see
    seem seems she she'd she'll she's should shouldn't so some something sometimes sort still such
    sure take tell than that that's the their theirs them themselves then there there's these they
    they'd they'll they're they've thing things think this those though through to too totally
    um uh umm hmm until up us very was wasn't way we we'd we'll we're we've well went were weren't
    what what's when when's where where's whether which while who who's whom why why's will with
    won't would wouldn't yeah yes yep yet you you'd you'll you're you've your yours yourself
    yourselves actually anyway lol haha wow cool nice hey hi hello bye thanks thank please also
    time times year years day days today tonight yesterday tomorrow people person stuff
    heartlink janitor facilitator awkward question questions want wants wanted love loved feel
    feels felt told thought look looks looking sound sounds true honestly probably definitely
    exactly basically literally usually kinda sorta gonna wanna said saying talk talking
    near nearly next last first second across along behind beside besides beyond toward towards
    upon onto within without since unless ago enough less least later soon often already instead
    another either neither whose everything everyone someone somebody nobody anybody everybody
    somewhere anywhere everywhere nowhere came come comes coming took give gave given keep keeps
    kept find found puts put tried trying bit whole else able
    """.split()
)


def words(text: str) -> list[str]:
    """The words of a line, lowercased, apostrophes kept inside words."""
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def content_words(text: str, exclude: Iterable[str] = ()) -> list[str]:
    """Words that may carry a topic: not stopwords, not excluded (names), 4..20 letters."""
    skip = {e.lower() for e in exclude}
    return [
        w for w in words(text) if w not in STOPWORDS and w not in skip and 4 <= len(w) <= 20 and "'" not in w
    ]


def shared_interests(first: Iterable[str], second: Iterable[str]) -> list[str]:
    """Tags both people listed (case-insensitive), in the first person's order and spelling."""
    theirs = {t.strip().lower() for t in second}
    out: list[str] = []
    for tag in first:
        if tag.strip().lower() in theirs and tag not in out:
            out.append(tag)
    return out


def join_words(items: Iterable[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
