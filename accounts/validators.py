"""Names and other text printed on certificates and the public verify page hold
only characters that show.

Unicode control characters (category Cc), format characters (Cf: the bidi
overrides and isolates U+202A-U+202E and U+2066-U+2069, zero-width spaces and
joiners, the soft hyphen, the byte-order mark), line and paragraph separators
(Zl, Zp), and surrogate, private-use and unassigned code points are refused:
they are invisible or unpredictable on a certificate, and a direction override
in a name can make the verify page read differently from what was issued.
Model fields use these validators, so every model form (the admin's included)
checks them; plain forms add them to their fields.

One trade-off: zero-width (non-)joiners are refused too, although Persian and
some Indic spellings use them; such a name is written without them.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


@deconstructible
class NoHiddenCharactersValidator:
    message = (
        "Remove the invisible character %(codepoint)s (%(name)s). This text is printed "
        "on certificates exactly as typed, so control and formatting characters such "
        "as direction overrides and zero-width spaces are not accepted."
    )
    code = "hidden_character"

    def __init__(self, *, multiline: bool = False):
        # Line breaks (and tabs) are fine in multi-line text such as an address.
        self.multiline = multiline

    def __call__(self, value) -> None:
        for character in str(value):
            if self.multiline and character in "\n\r\t":
                continue
            if unicodedata.category(character) in HIDDEN_CATEGORIES:
                raise ValidationError(
                    self.message,
                    code=self.code,
                    params={
                        "codepoint": f"U+{ord(character):04X}",
                        "name": unicodedata.name(character, None)
                        or ("a control character" if character < " " else "no name"),
                    },
                )

    def __eq__(self, other) -> bool:
        return isinstance(other, NoHiddenCharactersValidator) and (
            self.multiline == other.multiline
        )


validate_printable_line = NoHiddenCharactersValidator()
validate_printable_text = NoHiddenCharactersValidator(multiline=True)
