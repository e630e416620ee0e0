"""The PDF renderer alone (no database): layout, fallbacks, images, tags, data kept as text."""

import io
import itertools

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image as PILImage

from benchmarks.certificates import sample_snapshot
from certificates import rendering, typst_engine
from tests.certificates.pdf import (
    pdf_image_count,
    pdf_qr_codes,
    pdf_reader,
    pdf_structure,
    pdf_text,
    pdf_xmp,
)

APA_STATEMENT = (
    "Practicum Continuing Education is approved by the American Psychological Association to "
    "sponsor continuing education for psychologists. Practicum Continuing Education maintains "
    "responsibility for this program and its content."
)
LONG_TITLE = (
    "Integrating Trauma-Informed, Culturally Responsive and Evidence-Based Approaches to "
    "Assessment, Treatment Planning and Ethical Decision-Making in Community Mental Health "
    "Settings Serving Multilingual Families Across the Lifespan"
)
NAME = "Zoë Ñúñez-Łukasiewicz 李小龙"


def apa_snapshot() -> dict:
    """The demo's certificate: APA, one license, one category."""
    snapshot = sample_snapshot()
    snapshot.update(
        participant_name="Avery Quinn-Lindqvist",
        licenses=[{"profession": "Psychologist", "number": "PSY-968A71A5", "region": "MD"}],
        course_title="Countertransference as clinical information",
        credits=[{"category": "General", "hours": "0.75"}],
        total_hours="0.75",
        accreditor={
            "name": "American Psychological Association",
            "short_name": "APA",
            "provider_number": "APA-1234",
        },
        statement=APA_STATEMENT,
        instructors=[{"name": "Rowan Ellery", "credentials": "PhD, licensed psychologist"}],
    )
    return snapshot


def attendance_snapshot() -> dict:
    snapshot = apa_snapshot()
    snapshot.update(kind="attendance", accreditor=None, statement="")
    return snapshot


def long_snapshot() -> dict:
    """ASWB (long statement, general + ethics), a long title, three licenses, three instructors."""
    snapshot = sample_snapshot()
    snapshot["participant_name"] = NAME
    snapshot["course_title"] = LONG_TITLE
    snapshot["licenses"] = [
        {"profession": "Social worker", "number": "LCSW 104233", "region": "NY"},
        {"profession": "Social worker", "number": "LICSW 88812", "region": "MA"},
        {"profession": "Social worker", "number": "LCSW-C 20991", "region": "MD"},
    ]
    snapshot["instructors"].append({"name": "Hannah Feldman-Ortiz", "credentials": "LMFT, PhD"})
    return snapshot


SAMPLES = {
    "apa": apa_snapshot,
    "aswb": sample_snapshot,
    "attendance": attendance_snapshot,
    "long": long_snapshot,
}


def _png(size, color=(29, 78, 95, 255)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGBA", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def _jpeg(size) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (29, 78, 95)).save(buffer, "JPEG")
    return buffer.getvalue()


SVG_SIGNATURE = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="300" height="80" viewBox="0 0 300 80">'
    b'<path d="M10 60 C 60 0, 120 100, 290 30" stroke="#18264a" stroke-width="4" fill="none"/>'
    b"</svg>"
)


def _bands(pdf: bytes) -> tuple[float, float, float, float]:
    """(page height, empty space above the content, below it, the tallest empty
    band between two pieces of content), from the text lines and images of page 1."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        height = page.get_size()[1]
        textpage = page.get_textpage()
        spans = []
        for i in range(textpage.count_rects()):
            _, bottom, _, top = textpage.get_rect(i)
            spans.append((height - top, height - bottom))
        for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=5):
            _, bottom, _, top = image.get_bounds()
            spans.append((height - top, height - bottom))
    finally:
        document.close()
    spans.sort()
    merged = [list(spans[0])]
    for start, end in spans[1:]:
        if start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    gaps = [after[0] - before[1] for before, after in itertools.pairwise(merged)]
    return height, merged[0][0], height - merged[-1][1], max(gaps)


def test_a_standard_certificate_is_one_page_in_one_pass():
    pdf = rendering.render_certificate_pdf(sample_snapshot())
    assert typst_engine.page_count(pdf) == 1


@pytest.mark.parametrize("images", [True, False], ids=["logo-and-signature", "no-images"])
@pytest.mark.parametrize("sample", list(SAMPLES))
def test_the_page_is_filled_top_to_bottom_without_an_empty_band(sample, images):
    # The first layout put everything in the upper half and the signature at the
    # bottom, leaving a fifth to two fifths of the page empty between them.
    logo, signature = (
        (_png((900, 250)), _png((900, 250), (24, 38, 74, 255))) if images else (None, None)
    )
    pdf = rendering.render_certificate_pdf(SAMPLES[sample](), logo=logo, signature=signature)
    height, above, below, widest_gap = _bands(pdf)
    assert typst_engine.page_count(pdf) == 1
    assert above < 45 and below < 45, (above, below)  # content from margin to margin
    assert widest_gap < height / 6, f"an empty band of {widest_gap:.0f}pt"


def test_a_long_title_a_long_name_and_three_licenses_keep_every_field_on_one_page():
    snapshot = long_snapshot()
    pdf = rendering.render_certificate_pdf(
        snapshot, logo=_png((900, 250)), signature=_png((900, 250))
    )
    assert len(pdf_reader(pdf).pages) == 1
    text = pdf_text(pdf)
    expected = [
        NAME,
        *(f"License {lic['number']} · {lic['region']}" for lic in snapshot["licenses"]),
        LONG_TITLE,  # wrapped at spaces, never hyphenated
        "November 25, 2026",
        "Self-paced online, reading-based",
        "CE CREDIT HOURS · ASWB",
        "General 2.00",
        "Ethics 1.00",
        "Total 3.00",
        "Association of Social Work Boards ACE (ASWB)",
        "ACE-1677",
        snapshot["statement"],
        *(f"{i['name']}, {i['credentials']}" for i in snapshot["instructors"]),
        "Practicum Continuing Education",
        "100 Example Street, Suite 200, Baltimore, MD 21201",
        "+1 410 555 0100",
        "ce@practicum.example",
        "https://practicum.example",
        "Jordan Avery, PsyD",
        "Director of CE",
        f"Certificate number {snapshot['number']}",
        snapshot["verify_url"],  # on one line: it is typed from paper
    ]
    for value in expected:
        assert value in text, f"{value!r} missing from the PDF text"
    assert pdf_qr_codes(pdf) == [snapshot["verify_url"]]


def test_text_too_long_for_the_standard_layout_shrinks_onto_one_page():
    snapshot = long_snapshot()
    snapshot["statement"] = " ".join([snapshot["statement"]] * 6)
    snapshot["instructors"] = snapshot["instructors"] * 4
    snapshot["participant_name"] = "Maria Fernanda de los Ángeles Ñúñez-Łukasiewicz van der Berg"
    categories = ("General", "Ethics", "Cultural competence", "Suicide prevention", "Supervision")
    snapshot["credits"] = [{"category": c, "hours": "0.60"} for c in categories]
    pdf = rendering.render_certificate_pdf(snapshot)
    assert len(pdf_reader(pdf).pages) == 1
    text = pdf_text(pdf)
    assert snapshot["statement"][-60:] in text
    assert snapshot["participant_name"] in text
    for category in categories:
        assert f"{category} 0.60" in text
    assert pdf_qr_codes(pdf) == [snapshot["verify_url"]]


def test_png_jpeg_and_svg_images_are_placed_with_alternative_text():
    snapshot = apa_snapshot()
    pdf = rendering.render_certificate_pdf(
        snapshot, logo=_jpeg((600, 200)), signature=SVG_SIGNATURE
    )
    _, alts = pdf_structure(pdf)
    assert alts == [
        "Practicum Continuing Education logo",
        "Signature of Jordan Avery, PsyD",
        f"QR code linking to {snapshot['verify_url']}",
    ]
    assert pdf_image_count(pdf) == 1  # the JPEG; the SVG stays vector

    pdf = rendering.render_certificate_pdf(
        snapshot, logo=_png((600, 200)), signature=_png((600, 160))
    )
    assert pdf_image_count(pdf) == 2
    assert len(pdf_structure(pdf)[1]) == 3


def test_the_certificate_is_tagged_with_headings_a_credit_table_and_reading_order():
    pdf = rendering.render_certificate_pdf(apa_snapshot())
    roles, alts = pdf_structure(pdf)
    assert roles[0] == "/Document"
    assert (
        roles.count("/H1") == 1 and roles.count("/H2") == 4
    )  # hours, accreditation, instructor, statement
    for role in ("/Table", "/THead", "/TH", "/TBody", "/TFoot", "/TD", "/Link"):
        assert role in roles, role
    assert roles.index("/H1") < roles.index("/Table")
    assert alts == [f"QR code linking to {apa_snapshot()['verify_url']}"]  # no images given
    text = pdf_text(pdf)
    order = [
        text.index("CERTIFICATE OF COMPLETION"),
        text.index("This certifies that"),
        text.index("Avery Quinn-Lindqvist"),
        text.index("has successfully completed"),
        text.index("Countertransference as clinical information"),
        text.index("CE CREDIT HOURS · APA"),
        text.index("APPROVAL STATEMENT"),
        text.index("Jordan Avery, PsyD"),
        text.index("VERIFY THIS CERTIFICATE"),
    ]
    assert order == sorted(order), order


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
    assert "HOURS ATTENDED" in text
    assert "not issued under an accrediting body's approval" in text
    assert "APPROVAL STATEMENT" not in text
    assert snapshot["statement"][:40] not in text
    assert "ACE-1677" not in text


def test_page_count_reads_typst_output_and_admits_when_it_cannot():
    pdf = rendering.render_certificate_pdf(sample_snapshot())
    assert typst_engine.page_count(pdf) == 1
    assert typst_engine.page_count(b"%PDF-1.7 no page tree here") is None


def test_the_document_metadata_names_the_certificate_though_it_is_set_last():
    snapshot = sample_snapshot(3)
    pdf = rendering.render_certificate_pdf(snapshot)
    info = pdf_reader(pdf).metadata
    assert info.title == f"CE certificate {snapshot['number']} — {NAME}"
    assert info.author == "Practicum Continuing Education"
    assert snapshot["number"] in info["/Keywords"]
    assert info["/CreationDate"].startswith("D:20261125")
    assert info.title in pdf_xmp(pdf)


def test_certificates_rendered_one_after_another_each_carry_only_their_own_data():
    # Typst reuses layout between renders in a process: nothing of the one
    # before may show through on the next.
    first, second = sample_snapshot(1), sample_snapshot(2)
    second.update(participant_name="Avery Quinn-Lindqvist", course_title="Good enough practice")
    texts = [pdf_text(rendering.render_certificate_pdf(s)) for s in (first, second, first)]
    assert texts[0] == texts[2]
    assert NAME in texts[0] and first["number"] in texts[0] and "LCSW 10001" in texts[0]
    assert "Avery Quinn-Lindqvist" in texts[1] and "Good enough practice" in texts[1]
    assert second["number"] in texts[1] and "LCSW 10002" in texts[1]
    assert "Zoë" not in texts[1] and first["number"] not in texts[1]
    assert "Stuck Psychotherapies" not in texts[1]


@pytest.mark.parametrize(
    "value",
    [
        'end" + str(1) + "',
        "back\\slash \\u{41} \\\\",
        "line\nbreak\r\ttab \x00 nul \x7f",
        "李小龙 Ωμέγα עברית 🙂 \u2028",
        "#set text(red) [x] $y$ // c /* d",
        "x",
    ],
)
def test_a_typst_string_literal_reads_back_as_exactly_the_text(value):
    # Typst itself compares the literal with the text's code points, written as
    # numbers (not through the escaping under test).
    points = "".join(f"{ord(c)}, " for c in value)
    check = (
        f"#assert.eq(inputs.value.codepoints().map(str.to-unicode), ({points}))\n"
        f'#set document(title: "t")\nok'
    ).encode()
    compiler = typst_engine.typst_compiler()
    pdf = compiler.compile(typst_engine.typst_preamble({"value": value}) + check, format="pdf")
    assert pdf.startswith(b"%PDF")


def test_a_preamble_key_that_is_not_an_identifier_is_refused():
    with pytest.raises(ValueError, match="identifier"):
        typst_engine.typst_preamble({"data) #panic(": "x"})
