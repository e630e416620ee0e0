"""Revocation through a W3C Bitstring Status List (VC Bitstring Status List v1.0).

Each certificate owns one bit, fixed at issue: ``(status_list, status_list_index)``.
The list credential is computed from the certificates' statuses when it is asked
for, so revoking, restoring or reissuing changes it at once without any step of
their own: a bit is set when its certificate is no longer valid (revoked, or
replaced by a reissue). The signed list is cached under the set of bits it
carries, so an unchanged list is not signed again.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.utils import timezone

from ..models import Certificate
from . import keys
from .data_integrity import proof_add

#: Bits per list: the specification's minimum (16 KB), so one certificate's bit
#: hides among many (herd privacy).
LIST_LENGTH = 131_072
STATUS_PURPOSE = "revocation"
_CANDIDATES = 16
_rng = secrets.SystemRandom()


def status_list_url(list_number: int) -> str:
    return f"{settings.SITE_URL}/credentials/status/{list_number}/"


def status_list_slot_draw() -> dict:
    """A free bit for a new certificate: ``{"status_list": n, "status_list_index": i}``,
    drawn at random among the current list's free bits; once the list is nearly
    full (sixteen draws all taken) the next list is started. Two issues drawing the
    same bit at once are refused by the unique constraint, and the issuing
    services draw again."""
    current = Certificate.objects.aggregate(n=Max("status_list"))["n"] or 1
    candidates = {_rng.randrange(LIST_LENGTH) for _ in range(_CANDIDATES)}
    taken = set(
        Certificate.objects.filter(status_list=current, status_list_index__in=candidates)
        .order_by()  # a set: no sort by the model's ordering
        .values_list("status_list_index", flat=True)
    )
    free = sorted(candidates - taken)
    if free:
        return {"status_list": current, "status_list_index": _rng.choice(free)}
    return {"status_list": current + 1, "status_list_index": _rng.randrange(LIST_LENGTH)}


def status_entry(certificate: Certificate) -> dict:
    """The certificate's `credentialStatus` (a BitstringStatusListEntry)."""
    url = status_list_url(certificate.status_list)
    return {
        "id": f"{url}#{certificate.status_list_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": STATUS_PURPOSE,
        "statusListIndex": str(certificate.status_list_index),
        "statusListCredential": url,
    }


def status_list_in_use(*, list_number: int) -> bool:
    return Certificate.objects.filter(status_list=list_number).exists()


def set_bits(*, list_number: int) -> list[int]:
    """Indexes of the certificates in the list that are no longer valid."""
    return sorted(
        Certificate.objects.filter(status_list=list_number)
        .exclude(status=Certificate.Status.VALID)
        .values_list("status_list_index", flat=True)
    )


def encoded_list(indexes: list[int]) -> str:
    """The bitstring (index 0 is the left-most bit of the first byte), GZIP-compressed,
    as multibase base64url without padding (prefix ``u``)."""
    bits = bytearray(LIST_LENGTH // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decoded_list(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("The encoded list is not multibase base64url.")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def bit_is_set(bitstring: bytes, index: int) -> bool:
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(*, list_number: int) -> dict:
    """The signed BitstringStatusListCredential of list `list_number`, as served."""
    indexes = set_bits(list_number=list_number)
    key_set = keys.key_set_load()
    digest = hashlib.sha256(json.dumps(indexes).encode()).hexdigest()[:32]
    cache_key = (
        f"certificates:status-list:{settings.SITE_URL}:{list_number}:"
        f"{key_set.signing.key_id}:{digest}"
    )
    cached = cache.get(cache_key)
    if cached is not None:
        return json.loads(cached)
    url = status_list_url(list_number)
    now = timezone.now().replace(microsecond=0).isoformat().replace("+00:00", "Z")
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": keys.issuer_did(),
        "validFrom": now,
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": STATUS_PURPOSE,
            "encodedList": encoded_list(indexes),
        },
    }
    signed = proof_add(credential, key=key_set.signing, created=now)
    cache.set(cache_key, json.dumps(signed), timeout=24 * 3600)
    return signed
