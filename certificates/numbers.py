"""Certificate numbers: ``PRC-2026-7KQ9-X4D0``.

- Eight characters of Crockford base 32 (digits and capitals without I, L, O,
  U), seven drawn from ``secrets`` and one check character (Luhn mod 32 over
  the year and the random part), so numbers are neither sequential nor
  guessable, and most typing slips are caught before any lookup.
- Typable from paper: lookups ignore case, spaces and dashes, and read O as
  0, I and L as 1 and U as V, the confusions Crockford's alphabet is built
  to absorb.
"""

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
RANDOM_LENGTH = 7
DEFAULT_PREFIX = "PRC"

_SHAPE = re.compile(r"^([A-Z]{2,6})(\d{4})([0-9A-Z]{8})$")


def check_character(payload: str) -> str:
    """Luhn mod N (N = 32) over ``payload``: catches any single wrong
    character and every swap of two different neighbours except 0 and Z (the
    values 0 and N - 1, Luhn's one blind spot). ``20267KQ9X4D`` gives ``0``."""
    factor = 2
    total = 0
    for char in reversed(payload):
        addend = factor * _VALUE[char]
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return ALPHABET[(32 - total % 32) % 32]


def number_generate(*, year: int, prefix: str = DEFAULT_PREFIX) -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    check = check_character(f"{year:04d}{body}")
    code = body + check
    return f"{prefix}-{year:04d}-{code[:4]}-{code[4:]}"


def number_normalize(raw: str) -> str | None:
    """The canonical form of a number typed by a person, or None if it cannot be one.

    ``prc 2026 7kq9 x4d0``, ``PRC-2O26-7KQ9-X4D0`` and ``prc20267kq9x4d0`` all
    give ``PRC-2026-7KQ9-X4D0``; a wrong check character gives None.
    """
    compact = re.sub(r"[\s\-_.]", "", (raw or "").upper())
    if not 14 <= len(compact) <= 18:
        return None
    match = re.match(r"^([A-Z]{2,6})(.*)$", compact)
    if match is None:
        return None
    prefix, rest = match.groups()  # the year starts with a digit, so the split is clean
    rest = rest.translate(_CONFUSABLE)
    candidate = prefix + rest
    shape = _SHAPE.match(candidate)
    if shape is None:
        return None
    prefix, year, code = shape.groups()
    if any(c not in _VALUE for c in code):
        return None
    if check_character(year + code[:-1]) != code[-1]:
        return None
    return f"{prefix}-{year}-{code[:4]}-{code[4:]}"
