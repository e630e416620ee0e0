"""Numbers as people read them: "80", "83.33", "1.5", never "80.00" or "0.00"."""

from decimal import Decimal, InvalidOperation


def humane_number(value) -> str:
    """The number without trailing zeros (a score of 80.00 reads "80", 0.00 reads "0",
    1.50 hours read "1.5"); "" for None, anything else as it is."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    return format(number.normalize(), "f") if number else "0"
