"""Text for the cells of the CSV exports (certificates, roster, accreditor
report, evaluations): one rule for all of them.

A cell that starts like a formula (``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) would be run by a spreadsheet that opens the file, so a name
such as ``=HYPERLINK("http://evil.example")`` could act on the reader's
machine (OWASP's "CSV injection"). Such text is kept as text with a leading
apostrophe, which spreadsheets hide.
"""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text
