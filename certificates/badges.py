"""Open Badges 3.0: each certificate as an OpenBadgeCredential (a W3C
Verifiable Credential, JSON-LD), signed by the provider with a Data Integrity
proof (eddsa-rdfc-2022). Its id is the certificate's public verification URL,
which also answers with this JSON to a client that asks for it; its issuer is
the site's did:web, whose DID document publishes the keys; its
`credentialStatus` points at the site's revocation list. See
docs/certificates.md.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from .credentials import keys, status_list
from .credentials.data_integrity import ProofCheck, proof_add, proof_verify
from .models import Certificate

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
#: 1EdTech's published JSON Schema of an AchievementCredential (a copy is in
#: tests/certificates/data/, where a test validates every credential against it).
SCHEMA_ID = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)


def certificate_badge(*, certificate: Certificate, verify_url: str) -> dict:
    snapshot = certificate.snapshot
    provider = snapshot.get("provider") or {}
    accreditor = snapshot.get("accreditor") or {}
    course_path = snapshot.get("course_url")
    if course_path is None:  # issued before snapshots kept the course's URL
        course_path = certificate.course.url or ""
    course_url = f"{settings.SITE_URL}{course_path}" if course_path else ""
    hours = float(certificate.total_hours)
    achievement_id = f"{settings.SITE_URL}/courses/{certificate.course_id}/achievement"
    if accreditor:
        # Percent-encoded, so "ASWB ACE" still makes a valid URI, while a short
        # name that was already URI-safe ("APA") keeps the id it always had.
        achievement_id += f"/{quote(accreditor.get('short_name', ''), safe='')}"
        description = (
            f"{hours:g} continuing education credit hour(s) under "
            f"{accreditor.get('name')} for the course “{certificate.course_title}”."
        )
    else:
        description = f"Attendance of the continuing education course “{certificate.course_title}”."
    achievement = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "CertificateOfCompletion",
        "name": certificate.course_title,
        "description": description,
        "criteria": {
            "narrative": (
                "Completed every lesson, passed the post-test, completed the evaluation and "
                "attested to having done the work personally."
            )
        },
        "creditsAvailable": hours,
        "inLanguage": "en",
    }
    if course_url:
        achievement["criteria"]["id"] = course_url
    credential_subject = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": certificate.participant_name,
            }
        ],
        "achievement": achievement,
        "creditsEarned": hours,
        "activityEndDate": f"{certificate.completion_date.isoformat()}T00:00:00Z",
    }
    return {
        "@context": CONTEXT,
        "id": verify_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{certificate.get_kind_display()}: {certificate.course_title}",
        "issuer": {
            "id": keys.issuer_did(),
            "type": ["Profile"],
            "name": provider.get("name", ""),
            "url": provider.get("website") or settings.SITE_URL,
            "email": provider.get("email", ""),
        },
        "validFrom": _datetime_text(certificate.issued_at),
        "credentialSubject": credential_subject,
        "credentialStatus": status_list.status_entry(certificate),
        "credentialSchema": [{"id": SCHEMA_ID, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def _datetime_text(moment) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def certificate_credential(*, certificate: Certificate, verify_url: str) -> dict:
    """The certificate's Open Badge signed with the current key. Ed25519 signing is
    deterministic but the canonicalisation costs milliseconds, so the signed
    document is cached under its content and key: a credential is signed once
    (per key), when first asked for, never on the delivery path."""
    badge = certificate_badge(certificate=certificate, verify_url=verify_url)
    key_set = keys.key_set_load()
    digest = hashlib.sha256(json.dumps(badge, sort_keys=True).encode()).hexdigest()[:32]
    cache_key = f"certificates:credential:{key_set.signing.key_id}:{digest}"
    cached = cache.get(cache_key)
    if cached is not None:
        return json.loads(cached)
    signed = proof_add(badge, key=key_set.signing, created=_datetime_text(timezone.now()))
    # 1EdTech's schema wants a list of proofs (a proof set of one, in Data Integrity's terms).
    signed["proof"] = [signed["proof"]]
    cache.set(cache_key, json.dumps(signed), timeout=30 * 24 * 3600)
    return signed


def credential_verify(document: dict) -> ProofCheck:
    """Check a credential's proof against the keys this site publishes in its DID
    document, as any verifier would: the proof's key must belong to the issuer."""
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    did = keys.issuer_did()
    key_set = keys.key_set_load()

    def resolve(method: str):
        controller, _, key_id = method.partition("#")
        if controller != did or issuer_id != did:
            return None
        key = key_set.find(key_id)
        return key.public_key if key else None

    return proof_verify(document, resolve=resolve)


@dataclass(frozen=True)
class CredentialCheck:
    """What the verification page says about the certificate's Open Badge."""

    signature_verified: bool
    key_id: str
    revoked_in_status_list: bool


def certificate_credential_check(*, certificate: Certificate, verify_url: str) -> CredentialCheck:
    """The site checks its own credential as a verifier would: the proof against the
    published keys, then its bit in the signed status list it serves. Results are
    cached under the documents' contents."""
    credential = certificate_credential(certificate=certificate, verify_url=verify_url)
    status_credential = status_list.status_list_credential(list_number=certificate.status_list)
    documents = json.dumps([credential, status_credential], sort_keys=True).encode()
    cache_key = f"certificates:credential-check:{hashlib.sha256(documents).hexdigest()[:32]}"
    cached = cache.get(cache_key)
    if cached is not None:
        return CredentialCheck(**cached)
    proof = credential_verify(credential)
    list_proof = credential_verify(status_credential)
    bitstring = status_list.decoded_list(status_credential["credentialSubject"]["encodedList"])
    entry = credential["credentialStatus"]
    check = CredentialCheck(
        signature_verified=proof.verified and list_proof.verified,
        key_id=proof.verification_method.partition("#")[2],
        revoked_in_status_list=status_list.bit_is_set(bitstring, int(entry["statusListIndex"])),
    )
    cache.set(cache_key, asdict(check), timeout=24 * 3600)
    return check
