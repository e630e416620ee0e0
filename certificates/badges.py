"""Open Badges 3.0: each certificate as an OpenBadgeCredential (a W3C
Verifiable Credential, JSON-LD). Its id is the certificate's public
verification URL, where anyone can confirm it is still valid.

The credential is hosted, not signed: it carries no `proof`. A wallet that
requires a cryptographic proof cannot import it yet (see docs/certificates.md).
"""

from urllib.parse import quote

from django.conf import settings

from .models import Certificate

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


def certificate_badge(*, certificate: Certificate, verify_url: str) -> dict:
    snapshot = certificate.snapshot
    provider = snapshot.get("provider") or {}
    accreditor = snapshot.get("accreditor") or {}
    course_url = f"{settings.SITE_URL}{certificate.course.url}" if certificate.course.url else ""
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
            "id": provider.get("website") or settings.SITE_URL,
            "type": ["Profile"],
            "name": provider.get("name", ""),
            "url": provider.get("website") or settings.SITE_URL,
            "email": provider.get("email", ""),
        },
        "validFrom": certificate.issued_at.replace(microsecond=0)
        .isoformat()
        .replace("+00:00", "Z"),
        "credentialSubject": credential_subject,
    }
