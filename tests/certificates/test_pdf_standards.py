"""The certificate and transcript PDFs checked by a tool that is not the renderer:
pdfua 0.1 (pikepdf/QPDF), which implements a part of PDF/UA-1's machine-checkable
rules. The other PDF tests read back the markers our renderer writes; these ask an
independent checker. What it covers and what it does not: docs/accessibility.md."""

import pdfua

from tests.factories import course_completed_by

#: pdfua 0.1.3's "headings are not empty" rule stops on any heading whose /K is an
#: array of content items (it asks a pikepdf Array for `is_integer`, which pikepdf
#: answers with ValueError, not AttributeError). Typst writes headings that way.
#: If pdfua fixes it, the rule runs and must pass like the others.
KNOWN_CHECKER_DEFECT = {"UA-14-001": "pikepdf.Object is not a Dictionary or Stream"}


def pdfua_problems(pdf: bytes, tmp_path, name: str) -> list[str]:
    path = tmp_path / name
    path.write_bytes(pdf)
    report = pdfua.validate(str(path))
    problems = [f"{f.rule_id} {f.severity.name}: {f.message}" for f in report.findings]
    for outcome in report.outcomes:
        if not outcome.skipped_reason:
            continue
        if KNOWN_CHECKER_DEFECT.get(outcome.rule_id, "\0") not in outcome.skipped_reason:
            problems.append(f"{outcome.rule_id} could not run: {outcome.skipped_reason}")
    ran = {o.rule_id for o in report.outcomes if not o.skipped_reason}
    assert len(ran) >= 11, ran  # the checker really ran its rules
    return problems


def test_a_delivered_certificate_passes_the_pdfua_checks(issued, tmp_path):
    with issued.pdf.open("rb") as handle:
        pdf = handle.read()
    assert pdfua_problems(pdf, tmp_path, "certificate.pdf") == []


def test_a_transcript_passes_the_pdfua_checks(client, issued, tmp_path):
    course_completed_by(user=issued.user, title="Ethics in practice")
    client.force_login(issued.user)
    response = client.get("/transcript/pdf/")
    assert response.status_code == 200
    assert pdfua_problems(response.content, tmp_path, "transcript.pdf") == []


def test_the_checker_finds_what_it_checks_in_an_untagged_pdf(tmp_path):
    """The same checker on a PDF without tags, language or title: it must object,
    or its silence above would prove nothing."""
    import pikepdf

    untagged = pikepdf.new()
    untagged.add_blank_page()
    path = tmp_path / "untagged.pdf"
    untagged.save(path)
    report = pdfua.validate(str(path))
    failed = {f.rule_id for f in report.findings}
    assert {"UA-01-002", "UA-06-001"} <= failed, failed
