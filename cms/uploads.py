"""What an uploaded file must be (a renewal's certificate, a support request's
attachment): a PDF, PNG or JPEG no larger than the limit, judged by its content
(its first bytes, then a full parse), never by its name or the type the browser
claimed. Part of the site layer: any app may use it, it imports no app.

`upload_check` returns the content type or raises UploadRefused with a message
for the person; `noun` names what the file should be in those messages. `UploadLimitHandler` stops reading a request body once a file
passes the limit, so a 50 MB upload is not written to disk first.
"""

from __future__ import annotations

import io
import warnings

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from PIL import Image, UnidentifiedImageError

from .refusals import Refusal

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
ACCEPTED = {PDF: "PDF", PNG: "PNG image", JPEG: "JPEG image"}
MAX_IMAGE_PIXELS = 50_000_000

#: First bytes of the files accepted.
_SIGNATURES = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
#: First bytes of programs and archives people may rename: named in the refusal.
_PROGRAMS = (
    (b"\x7fELF", "a Linux program (ELF)"),
    (b"MZ", "a Windows program (EXE)"),
    (b"\xcf\xfa\xed\xfe", "a macOS program (Mach-O)"),
    (b"\xce\xfa\xed\xfe", "a macOS program (Mach-O)"),
    (b"\xca\xfe\xba\xbe", "a macOS or Java program"),
    (b"#!", "a script"),
    (b"PK\x03\x04", "a ZIP archive or Office document"),
)


class UploadRefused(Refusal):
    """An upload that is not kept; the message is for the person. A `Refusal`
    (cms.refusals) like every other: views may show it as they show any."""

    def __init__(self, message: str, *, kind: Refusal.Kind = Refusal.Kind.INVALID):
        super().__init__(message, kind=kind)


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def sniff(head: bytes) -> str | None:
    """The accepted content type the first bytes show, or None."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def upload_check(
    *,
    data: bytes,
    max_bytes: int,
    noun: str = "certificate",
    locked_pdf_hint: str = "so it can go into your renewal packet",
) -> str:
    if not data:
        raise UploadRefused("The file is empty.")
    if len(data) > max_bytes:
        raise UploadRefused(
            f"The file is {megabytes(len(data))}; {noun}s can be at most "
            f"{megabytes(max_bytes)}. Scan at a lower resolution or upload a PDF.",
            kind=Refusal.Kind.TOO_LARGE,
        )
    content_type = sniff(data[:16])
    if content_type is None:
        program = next((what for sig, what in _PROGRAMS if data.startswith(sig)), None)
        if program:
            raise UploadRefused(
                f"This file is {program}, not a {noun}, whatever its name says. "
                "Upload a PDF, PNG or JPEG."
            )
        raise UploadRefused(
            "This file is not a PDF, PNG or JPEG (its content was checked, not its name)."
        )
    if content_type == PDF:
        _check_pdf(data, locked_pdf_hint=locked_pdf_hint)
    else:
        _check_image(data, content_type)
    return content_type


def _check_pdf(data: bytes, *, locked_pdf_hint: str) -> None:
    # pypdf on the first PDF, not with this module: about 5 MB a web process rarely needs.
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRefused(
                f"This PDF is password-protected; upload a copy without a password "
                f"{locked_pdf_hint}."
            )
        pages = len(reader.pages)
    except UploadRefused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UploadRefused("This PDF is damaged and cannot be read.") from exc
    if pages == 0:
        raise UploadRefused("This PDF has no pages.")


def _check_image(data: bytes, content_type: str) -> None:
    expected = {PNG: "PNG", JPEG: "JPEG"}[content_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if image.format != expected:
                    raise UploadRefused("This image is damaged and cannot be read.")
                if width * height > MAX_IMAGE_PIXELS:
                    raise UploadRefused(
                        f"This image is {width} × {height} pixels; scan it at a lower resolution."
                    )
                image.verify()
    except UploadRefused:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        raise UploadRefused("This image is damaged and cannot be read.") from exc


class UploadLimitHandler(FileUploadHandler):
    """Refuses to read past `max_bytes` of a file (or of a body declared larger):
    the rest of the request is skipped, and `too_large` tells the view."""

    def __init__(self, request=None, *, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0
        self.too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Form fields and multipart boundaries add a little; a body far larger than
        # the limit is refused before any of it is read.
        if content_length and content_length > self.max_bytes + 64 * 1024:
            self.too_large = True

    def new_file(self, *args, **kwargs):
        self.received = 0
        if self.too_large:
            raise StopUpload(connection_reset=False)
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None

    @classmethod
    def install(cls, request, *, max_bytes: int) -> UploadLimitHandler:
        """Put the limit in front of the request's upload handlers. Call it before
        anything reads the body (the view is csrf_exempt and checks CSRF itself
        afterwards), so that a file over the limit is not read to the end."""
        limit = cls(request, max_bytes=max_bytes)
        request.upload_handlers.insert(0, limit)
        return limit

    def refuse_in(self, form, field: str, message: str) -> bool:
        """When the request went over the limit: `form` validated, with `message`
        at `field` instead of what the cut-off upload made of it. Returns whether it
        did; the view then renders the form with a 400."""
        if not self.too_large:
            return False
        form.is_valid()
        form.errors.pop(field, None)
        form.add_error(field, message)
        return True
