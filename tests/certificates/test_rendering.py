"""The PDF renderer alone (no database): layout fallbacks, data kept as text."""

from benchmarks.certificates import sample_snapshot
from certificates import rendering
from tests.certificates.pdf import pdf_qr_codes, pdf_reader, pdf_text


def test_a_standard_certificate_is_one_page_in_one_pass():
    pdf = rendering.render_certificate_pdf(sample_snapshot())
    assert rendering.page_count(pdf) == 1


def test_text_too_long_for_the_standard_layout_shrinks_onto_one_page():
    snapshot = sample_snapshot()
    snapshot["statement"] = " ".join([snapshot["statement"]] * 6)
    snapshot["instructors"] = snapshot["instructors"] * 6
    pdf = rendering.render_certificate_pdf(snapshot)
    assert len(pdf_reader(pdf).pages) == 1
    text = pdf_text(pdf)
    assert snapshot["statement"][-60:] in text
    assert pdf_qr_codes(pdf) == [snapshot["verify_url"]]


def test_names_that_look_like_markup_print_verbatim():
    snapshot = sample_snapshot()
    snapshot["participant_name"] = 'Ann #set text(red) [x] $y$ *z* "q" \\ <l>'
    snapshot["course_title"] = "#panic(1) // not a comment"
    text = pdf_text(rendering.render_certificate_pdf(snapshot))
    assert 'Ann #set text(red) [x] $y$ *z* "q" \\ <l>' in text
    assert "#panic(1) // not a comment" in text


def test_a_certificate_of_attendance_has_no_accreditor_statement():
    snapshot = sample_snapshot()
    snapshot["kind"] = "attendance"
    text = pdf_text(rendering.render_certificate_pdf(snapshot))
    assert "CERTIFICATE OF ATTENDANCE" in text
    assert "attended the continuing education course" in text
    assert "APPROVAL STATEMENT" not in text
    assert snapshot["statement"][:40] not in text


def test_page_count_reads_typst_output_and_admits_when_it_cannot():
    pdf = rendering.render_certificate_pdf(sample_snapshot())
    assert rendering.page_count(pdf) == 1
    assert rendering.page_count(b"%PDF-1.7 no page tree here") is None
