"""The renewal tracker's uploads are checked by the site layer's shared checks
(cms.uploads); the defaults there speak of certificates and the renewal packet."""

from cms.uploads import (
    ACCEPTED,
    JPEG,
    PDF,
    PNG,
    UploadLimitHandler,
    UploadRefused,
    megabytes,
    sniff,
    upload_check,
)

__all__ = [
    "ACCEPTED",
    "JPEG",
    "PDF",
    "PNG",
    "UploadLimitHandler",
    "UploadRefused",
    "megabytes",
    "sniff",
    "upload_check",
]
