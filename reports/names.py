"""First and last name apart, for uploads that ask for them (CE Broker), from
the one name a certificate printed (the name as certified, frozen in its
snapshot). The rule, in order:

1. "Last, First" (a comma): the part before the first comma is the last name.
2. Otherwise the last word is the last name, with a generational suffix
   before it kept with it ("Sam Okafor Jr." → "Sam" / "Okafor Jr.") and the
   lower-case particles that precede it ("Ana de la Cruz" → "Ana" / "de la Cruz").
3. A single word is the last name; the first name is left empty.

Nothing is guessed beyond that: an upload that must be exact is checked by the
person who sends it, against the certificate."""

from __future__ import annotations

SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "v"}
PARTICLES = {"da", "de", "del", "della", "der", "di", "du", "la", "le", "van", "von", "y", "st."}


def name_split(name: str) -> tuple[str, str]:
    """(first name, last name) of a full name, by the rule above."""
    name = " ".join(name.split())
    if "," in name:
        last, first = name.split(",", 1)
        return first.strip(), last.strip()
    words = name.split(" ")
    if len(words) <= 1:
        return "", name
    last_start = len(words) - 1
    if words[last_start].lower() in SUFFIXES and last_start > 1:
        last_start -= 1
    while last_start > 1 and words[last_start - 1] in PARTICLES:
        last_start -= 1
    return " ".join(words[:last_start]), " ".join(words[last_start:])
