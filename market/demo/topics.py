"""The sub-topic record every vocabulary module fills in, and the slot filler used on its phrases.

Vocabulary phrases are written once by hand and recombined; numeric slots such as ``{20-45}`` keep
invented figures varied without anyone having to write them out.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

_NUM_SLOT = re.compile(r"\{(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)\}")
_NAME_SLOT = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


@dataclass(frozen=True)
class Topic:
    """One fine-grained sub-topic. Provider-side lists use research language, need-side lists plain talk."""

    key: str  # "<field>/<slug>"
    name: str
    terms: tuple[str, ...]  # research keywords a profile would list
    methods: tuple[str, ...]  # processes, techniques, models
    gear: tuple[str, ...]  # materials, equipment, instruments, platforms
    metrics: tuple[str, ...]  # indicator nouns ("低温容量保持率")
    objects: tuple[str, ...]  # products / scenes both sides talk about
    firms: tuple[str, ...]  # what an enterprise in this niche does ("电池包系统集成")
    symptoms: tuple[str, ...]  # how a firm describes the trouble, with numeric slots
    asks: tuple[str, ...]  # short headline phrases for need titles
    goals: tuple[str, ...]  # target clauses, with numeric slots
    tried: tuple[str, ...]  # what the firm already tried
    params: tuple[str, ...]  # confidential current process figures

    @property
    def field(self) -> str:
        return self.key.split("/", 1)[0]


def topic(key: str, name: str, **parts: str) -> Topic:
    """Build a Topic from '|'-separated strings, which keeps the vocabulary files compact."""
    split = {k: tuple(p.strip() for p in v.split("|") if p.strip()) for k, v in parts.items()}
    return Topic(key=key, name=name, **split)


def fill(template: str, rng: random.Random, **names: str) -> str:
    """Replace ``{a-b}`` with a random number in range and ``{name}`` with the given values."""

    def number(match: re.Match[str]) -> str:
        lo, hi = match.group(1), match.group(2)
        if "." in lo or "." in hi:
            decimals = max(len(x.partition(".")[2]) for x in (lo, hi))
            return f"{rng.uniform(float(lo), float(hi)):.{decimals}f}"
        return str(rng.randint(int(lo), int(hi)))

    # Names first: inserted phrases (a symptom, a goal) carry numeric slots of their own.
    text = _NAME_SLOT.sub(lambda m: names.get(m.group(1), m.group(0)), template)
    return _NUM_SLOT.sub(number, text)
