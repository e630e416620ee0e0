"""Certificate numbers against known answers, not against check_character itself.

The vectors below were worked by hand with Luhn mod 32 (weights 2, 1, 2, ...
from the right, each product folded as product // 32 + product % 32, the check
character bringing the total to a multiple of 32). A change of the weights,
the folding, the modulus or the start of the sum changes at least one of them.
"""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certificates.numbers import ALPHABET, check_character, number_generate, number_normalize

# payload (year + seven random characters) -> check character
KNOWN = {
    "20267KQ9X4D": "0",
    "2026VAB1234": "B",
    "20260000000": "J",
    "2026ZZZZZZZ": "S",
    "19990123456": "S",
    "2030ABCDEFG": "6",
}


def luhn_total(full: str) -> int:
    """The validation side of Luhn mod 32, written independently of the module: weights
    1, 2, 1, ... from the right over the whole code including its check character."""
    total = 0
    for position, char in enumerate(reversed(full)):
        product = ALPHABET.index(char) * (2 if position % 2 else 1)
        total += sum(divmod(product, 32))
    return total


@pytest.mark.parametrize(("payload", "check"), KNOWN.items())
def test_known_check_characters(payload, check):
    assert check_character(payload) == check
    assert luhn_total(payload + check) % 32 == 0


def test_the_documented_example_is_a_valid_number():
    assert number_normalize("PRC-2026-7KQ9-X4D0") == "PRC-2026-7KQ9-X4D0"
    assert number_normalize("prc 2026 7kq9 x4d0") == "PRC-2026-7KQ9-X4D0"
    assert number_normalize("PRC-2O26-7KQ9-X4DO") == "PRC-2026-7KQ9-X4D0"
    assert number_normalize("prc20267kq9x4d0") == "PRC-2026-7KQ9-X4D0"
    # The example once printed in the docs, one character off, is refused.
    assert number_normalize("PRC-2026-7KQ9-X4DM") is None


@settings(max_examples=150, deadline=None)
@given(
    year=st.integers(min_value=2000, max_value=2099),
    body=st.text(alphabet=ALPHABET, min_size=7, max_size=7),
)
def test_every_check_character_satisfies_the_independent_validation(year, body):
    payload = f"{year}{body}"
    assert luhn_total(payload + check_character(payload)) % 32 == 0


def test_every_adjacent_transposition_is_caught_except_0_and_z():
    """Luhn mod N catches every swap of two different neighbours but one pair: the
    characters of value 0 and N - 1 (here 0 and Z), as 09/90 in Luhn mod 10."""
    missed = set()
    base = "2026" + "7KQ9X4D"
    for a, b in itertools.permutations(ALPHABET, 2):
        for i in range(4, len(base) - 1):  # within the random part
            payload = base[:i] + a + b + base[i + 2 :]
            check = check_character(payload)
            swapped = base[:i] + b + a + base[i + 2 :]
            code = swapped[4:] + check
            if number_normalize(f"PRC-2026-{code[:4]}-{code[4:]}") is not None:
                missed.add(frozenset((a, b)))
    assert missed == {frozenset("0Z")}


def test_swapping_two_digits_of_the_year_is_caught():
    payload = "2026" + "7KQ9X4D"
    code = payload[4:] + check_character(payload)
    assert number_normalize(f"PRC-2026-{code[:4]}-{code[4:]}") is not None
    assert number_normalize(f"PRC-2062-{code[:4]}-{code[4:]}") is None
    assert number_normalize(f"PRC-2206-{code[:4]}-{code[4:]}") is None


@pytest.mark.parametrize("prefix", ["AB", "ABC", "ABCDEF"])
def test_prefixes_of_two_to_six_letters(prefix):
    number = number_generate(year=2026, prefix=prefix)
    assert number.startswith(f"{prefix}-2026-")
    assert number_normalize(number) == number
    assert number_normalize(number.replace("-", "").lower()) == number
    known = f"{prefix}-2026-7KQ9-X4D0"
    assert number_normalize(known) == known


@pytest.mark.parametrize("prefix", ["A", "ABCDEFG", "A1", "12"])
def test_prefixes_outside_two_to_six_letters_are_refused(prefix):
    assert number_normalize(f"{prefix}-2026-7KQ9-X4D0") is None


def test_lengths_at_the_edges():
    assert number_normalize("AB20267KQ9X4D0") == "AB-2026-7KQ9-X4D0"  # 14 characters
    assert number_normalize("ABCDEF20267KQ9X4D0") == "ABCDEF-2026-7KQ9-X4D0"  # 18
    assert number_normalize("AB20267KQ9X4D") is None  # 13: a character missing
    assert number_normalize("ABCDEF20267KQ9X4D00") is None  # 19
    assert number_normalize("PRC-2026-7KQ9-X4D0-") == "PRC-2026-7KQ9-X4D0"


def test_a_year_of_other_than_four_digits_is_refused():
    assert number_normalize("PRC-226-7KQ9-X4D0") is None
    assert number_normalize("PRC-02026-7KQ9-X4D0") is None


def test_characters_outside_the_alphabet_are_refused_not_mapped():
    # Crockford's alphabet has no I, L, O or U, but those are read as 1, 1, 0 and V;
    # other letters outside it, and punctuation, are refused.
    assert number_normalize("PRC-2026-7KQ9-X4D!") is None
    assert number_normalize("PRC-2026-7KQ9-X4DÖ") is None
    assert number_normalize("PRC-2026-7KQ9-X4D0\n") == "PRC-2026-7KQ9-X4D0"


def test_generated_numbers_use_the_year_given():
    assert number_generate(year=2031).startswith("PRC-2031-")
    assert number_generate(year=987).startswith("PRC-0987-")
