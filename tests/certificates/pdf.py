"""Reading certificate PDFs back: text, QR code, images, standard markers."""

import io
import re
import time

import pypdf
import pypdfium2
import zxingcpp


def pdf_reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def pdf_text(data: bytes) -> str:
    """All text of all pages, whitespace collapsed (lines wrap anywhere)."""
    reader = pdf_reader(data)
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def pdf_structure(data: bytes) -> tuple[list[str], list[str]]:
    """The structure roles of a tagged PDF in reading order, and the alternative
    text of every figure."""
    roles, alts = [], []

    def visit(node):
        node = node.get_object()
        if not hasattr(node, "get"):
            return
        if node.get("/S"):
            roles.append(str(node["/S"]))
            if node["/S"] == "/Figure":
                alts.append(str(node.get("/Alt", "")))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            visit(kid)

    visit(pdf_reader(data).trailer["/Root"]["/StructTreeRoot"])
    return roles, alts


def pdf_qr_codes(data: bytes) -> list[str]:
    """The payload of every QR code on the first page, decoded from a raster."""
    document = pypdfium2.PdfDocument(data)
    try:
        image = document[0].render(scale=3).to_pil()
    finally:
        document.close()
    return [
        r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode
    ]


def pdf_xmp(data: bytes) -> str:
    root = pdf_reader(data).trailer["/Root"]
    return root["/Metadata"].get_object().get_data().decode("utf-8")


def pdf_xmp_values(data: bytes) -> dict[str, str]:
    return dict(re.findall(r"<(pdfa?u?a?id:\w+)>([^<]*)<", pdf_xmp(data)))


def pdf_image_count(data: bytes) -> int:
    page = pdf_reader(data).pages[0]
    xobjects = page["/Resources"].get("/XObject") or {}
    count = 0

    def walk(objects):
        nonlocal count
        for ref in objects.values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                count += 1
            elif obj.get("/Subtype") == "/Form":
                walk((obj.get("/Resources") or {}).get("/XObject") or {})

    walk(xobjects)
    return count


def wait_for(predicate, *, timeout: float = 60, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
