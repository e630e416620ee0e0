"""Certificate numbers: random, well-formed, typable from paper, typo-checked."""

import itertools
import re

from hypothesis import given
from hypothesis import strategies as st

from certificates.numbers import ALPHABET, check_character, number_generate, number_normalize

SHAPE = re.compile(r"^PRC-\d{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def test_generated_numbers_have_the_printed_shape_and_a_valid_check_character():
    for _ in range(200):
        number = number_generate(year=2026)
        assert SHAPE.match(number), number
        assert number_normalize(number) == number


def test_generated_numbers_do_not_repeat_or_follow_a_sequence():
    numbers = [number_generate(year=2026) for _ in range(5000)]
    assert len(set(numbers)) == len(numbers)
    codes = [n.replace("-", "")[7:] for n in numbers]
    # Consecutive draws share no long common prefix, as a counter's would.
    shared = sum(1 for a, b in itertools.pairwise(codes) if a[:3] == b[:3])
    assert shared < 5
    # Every character of the alphabet turns up in every random position.
    for position in range(7):
        assert {c[position] for c in codes} == set(ALPHABET)


def test_ambiguous_letters_never_appear_in_a_number():
    numbers = "".join(number_generate(year=2026)[9:] for _ in range(2000))
    assert not set(numbers) & set("ILOU")


def test_a_number_typed_from_paper_is_found_whatever_the_case_dashes_and_confusions():
    number = "PRC-2026-" + "7KQ0-X1D"
    number += check_character("2026" + "7KQ0X1D")
    assert number_normalize(number) == number
    typed = [
        number.lower(),
        number.replace("-", ""),
        number.replace("-", " "),
        " " + number.lower().replace("-", "  ") + " ",
        number.replace("0", "O"),
        number.replace("1", "I"),
        number.replace("1", "l").lower(),
        number.replace("2026", "2O26"),
    ]
    for variant in typed:
        assert number_normalize(variant) == number, variant


def test_u_is_read_as_v():
    number = "PRC-2026-V" + "AB1-234" + check_character("2026VAB1234")
    assert number_normalize(number.replace("V", "U")) == number


@given(
    code=st.text(alphabet=ALPHABET, min_size=7, max_size=7),
    position=st.integers(min_value=0, max_value=7),
    replacement=st.sampled_from(ALPHABET),
)
def test_any_single_wrong_character_is_caught(code, position, replacement):
    full = code + check_character("2026" + code)
    wrong = full[:position] + replacement + full[position + 1 :]
    if wrong != full:
        assert number_normalize(f"PRC-2026-{wrong[:4]}-{wrong[4:]}") is None


def test_garbage_is_not_a_number():
    for raw in ["", "PRC", "PRC-2026", "hello world", "PRC-2026-!!!!-????", "1" * 400, None]:
        assert number_normalize(raw) is None
