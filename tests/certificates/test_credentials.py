"""Open Badges as verifiable credentials: signed with eddsa-rdfc-2022 by the
provider's key, the key published in a did:web document, revocation through a
Bitstring Status List, the credential at its id, 1EdTech's JSON Schema, key
rotation."""

import base64
import copy
import gzip
import hashlib
import json
from pathlib import Path

import jsonschema
import nacl.exceptions
import nacl.signing
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from pyld import jsonld

from certificates import services
from certificates.badges import certificate_badge, credential_verify
from certificates.checks import credential_signing_key_check
from certificates.credentials import keys, status_list
from certificates.credentials.data_integrity import PINNED_CONTEXTS, proof_add
from certificates.models import Certificate
from tests.factories import (
    AccreditorFactory,
    clinician,
    course_build,
    course_completed_by,
    staff_user,
)
from tests.processes import PRODUCTION_ENV, ROOT, python_run

DATA = Path(__file__).resolve().parent / "data"
CONTEXT_DIR = ROOT / "certificates" / "credentials" / "contexts"


# --- An independent verifier: pyld and libsodium, none of the signing code -----------------

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + _B58.index(char)
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")


def _canonical(document: dict) -> bytes:
    def load(url, options=None):
        return {
            "contextUrl": None,
            "documentUrl": url,
            "document": json.loads((CONTEXT_DIR / PINNED_CONTEXTS[url]).read_text()),
        }

    return jsonld.normalize(
        document,
        {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": load},
    ).encode()


def verify_with_libsodium(credential: dict, did_document: dict) -> bool:
    """eddsa-rdfc-2022 verification as the W3C spec writes it, with the public key
    read from the published DID document and the signature checked by libsodium."""
    proofs = credential["proof"]
    proof = dict(proofs[0] if isinstance(proofs, list) else proofs)
    method = next(
        m for m in did_document["verificationMethod"] if m["id"] == proof["verificationMethod"]
    )
    raw = _b58decode(method["publicKeyMultibase"][1:])
    assert raw[:2] == b"\xed\x01"  # Ed25519 multicodec
    signature = _b58decode(proof.pop("proofValue")[1:])
    unsecured = {k: v for k, v in credential.items() if k != "proof"}
    proof["@context"] = credential["@context"]
    hash_data = (
        hashlib.sha256(_canonical(proof)).digest() + hashlib.sha256(_canonical(unsecured)).digest()
    )
    try:
        nacl.signing.VerifyKey(raw[2:]).verify(hash_data, signature)
    except nacl.exceptions.BadSignatureError:
        return False
    return True


def _credential(client, certificate) -> dict:
    response = client.get(f"/verify/{certificate.number}/credential/")
    assert response.status_code == 200
    return json.loads(response.content)


def _did_document(client) -> dict:
    response = client.get("/.well-known/did.json")
    assert response.status_code == 200
    return json.loads(response.content)


def _status_bit(client, credential: dict) -> bool:
    entry = credential["credentialStatus"]
    response = client.get(entry["statusListCredential"].removeprefix("http://testserver"))
    assert response.status_code == 200
    status_credential = json.loads(response.content)
    assert verify_with_libsodium(status_credential, _did_document(client))
    subject = status_credential["credentialSubject"]
    assert subject["statusPurpose"] == entry["statusPurpose"] == "revocation"
    assert subject["encodedList"].startswith("u")  # multibase base64url, no padding
    payload = subject["encodedList"][1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    index = int(entry["statusListIndex"])
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


# --- The signature -------------------------------------------------------------------------


def test_the_signer_reproduces_the_w3c_eddsa_rdfc_2022_test_vector():
    """vc-di-eddsa's published example: same key, same document → the same proof value."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    vector = json.loads((DATA / "vc-di-eddsa" / "eddsa-rdfc-2022-vector.json").read_text())
    seed = keys.base58btc_decode(vector["keyPair"]["privateKeyMultibase"][1:])[2:]
    private_key = Ed25519PrivateKey.from_private_bytes(seed)
    assert (
        keys.public_key_multibase(private_key.public_key())
        == (vector["keyPair"]["publicKeyMultibase"])
    )
    expected = vector["signed"]["proof"]
    signed = proof_add(
        vector["unsigned"],
        key=keys.CredentialKey("vector", private_key.public_key(), private_key),
        created=expected["created"],
        verification_method=expected["verificationMethod"],
        contexts={url: doc for url, doc in vector["contexts"].items()},
    )
    assert signed == vector["signed"]


def test_a_credential_signed_here_verifies_with_libsodium_against_the_published_did_document(
    client, issued
):
    credential = _credential(client, issued)
    (proof,) = credential["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"].startswith("did:web:testserver#key-")
    assert credential["issuer"]["id"] == "did:web:testserver"
    assert verify_with_libsodium(credential, _did_document(client))
    assert credential_verify(credential).verified


def test_a_credential_with_one_character_of_the_name_changed_fails_verification(client, issued):
    credential = _credential(client, issued)
    tampered = copy.deepcopy(credential)
    identity = tampered["credentialSubject"]["identifier"][0]
    assert identity["identityHash"] == "Dana Whitfield"
    identity["identityHash"] = "Dana Whitfielt"
    assert not verify_with_libsodium(tampered, _did_document(client))
    check = credential_verify(tampered)
    assert not check.verified
    assert check.problem == "The signature does not match the document."
    assert credential_verify(credential).verified


def test_a_proof_by_a_key_the_issuer_did_not_publish_is_refused(client, issued, tmp_path):
    credential = _credential(client, issued)
    stranger = keys.key_generate(tmp_path)
    forged = proof_add(credential, key=stranger, created=credential["proof"][0]["created"])
    assert forged["proof"]["verificationMethod"].startswith("did:web:testserver#")
    check = credential_verify(forged)
    assert not check.verified
    assert check.problem == "The signing key is not one the issuer published."


def test_the_did_document_publishes_the_signing_key_as_a_multikey_for_assertions(client, db):
    document = _did_document(client)
    assert document["id"] == "did:web:testserver"
    assert "https://w3id.org/security/multikey/v1" in document["@context"]
    (method,) = document["verificationMethod"]
    assert method["type"] == "Multikey"
    assert method["controller"] == "did:web:testserver"
    assert method["publicKeyMultibase"].startswith("z6Mk")  # an Ed25519 Multikey
    assert method["id"] == keys.key_set_load().signing.verification_method
    assert document["assertionMethod"] == [method["id"]]
    assert set(method) == {"id", "type", "controller", "publicKeyMultibase"}  # no private part
    response = client.get("/.well-known/did.json")
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("site_url", "did"),
    [
        ("https://ce.example.org", "did:web:ce.example.org"),
        ("http://localhost:8000", "did:web:localhost%3A8000"),
        ("https://example.org/practicum", "did:web:example.org:practicum"),
    ],
)
def test_the_issuer_did_follows_the_site_url(settings, site_url, did):
    settings.SITE_URL = site_url
    assert keys.issuer_did() == did


# --- The credential at its id --------------------------------------------------------------


@pytest.mark.parametrize(
    "accept", ["application/ld+json", "application/vc+ld+json", "application/json"]
)
def test_the_verification_url_answers_a_client_asking_for_json_with_the_signed_credential(
    client, issued, accept
):
    response = client.get(f"/verify/{issued.number}/", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == accept
    assert "Accept" in response["Vary"]
    assert response["Access-Control-Allow-Origin"] == "*"
    credential = json.loads(response.content)
    assert credential["id"] == f"http://testserver/verify/{issued.number}/"
    assert credential == _credential(client, issued)
    assert credential_verify(credential).verified


def test_a_browser_still_gets_the_verification_page(client, issued):
    response = client.get(
        f"/verify/{issued.number}/",
        HTTP_ACCEPT="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Accept" in response["Vary"]


def test_the_verification_page_offers_the_badge_and_shows_a_verified_signature(client, issued):
    page = client.get(f"/verify/{issued.number}/").content.decode()
    assert "Digital badge" in page
    key_id = keys.key_set_load().signing.key_id
    assert f"Verified</span> signed by the provider's key {key_id}" in page
    assert "Not revoked" in page
    assert f'href="/verify/{issued.number}/credential/"' in page
    assert "add it to a digital wallet" in page.lower()
    download = client.get(f"/verify/{issued.number}/credential/")
    assert download["Content-Disposition"] == (
        f'attachment; filename="{issued.number}-open-badge.json"'
    )


def test_the_badge_criteria_point_at_the_course_page_kept_in_the_snapshot_without_a_query(
    issued, django_assert_num_queries
):
    course_path = issued.course.url
    assert course_path and issued.snapshot["course_url"] == course_path
    with django_assert_num_queries(0):
        badge = certificate_badge(certificate=issued, verify_url="https://example.org/v/1/")
    criteria = badge["credentialSubject"]["achievement"]["criteria"]
    assert criteria["id"] == f"http://testserver{course_path}"


def test_a_certificate_frozen_before_snapshots_kept_the_course_url_reads_it_from_the_page(issued):
    course_path = issued.course.url
    issued.snapshot.pop("course_url")
    issued.save(update_fields=["snapshot"])
    issued = Certificate.objects.get(pk=issued.pk)
    badge = certificate_badge(certificate=issued, verify_url="https://example.org/v/1/")
    criteria = badge["credentialSubject"]["achievement"]["criteria"]
    assert criteria["id"] == f"http://testserver{course_path}"


def test_a_held_certificate_has_no_credential(client, issued):
    Certificate.objects.filter(pk=issued.pk).update(status=Certificate.Status.HELD)
    assert client.get(f"/verify/{issued.number}/credential/").status_code == 404
    response = client.get(f"/verify/{issued.number}/", HTTP_ACCEPT="application/ld+json")
    assert response.status_code == 404
    assert json.loads(response.content) == {"error": "No certificate with this number."}


def test_the_owners_badge_download_is_the_same_signed_credential(client, issued):
    client.force_login(issued.user)
    response = client.get(f"/certificates/{issued.number}/badge/")
    assert json.loads(response.content) == _credential(client, issued)


# --- Revocation: the Bitstring Status List -------------------------------------------------


def test_the_status_list_is_a_16_kb_gzip_bitstring_in_multibase_base64url(client, issued):
    credential = _credential(client, issued)
    entry = credential["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry"
    assert (
        entry["statusListCredential"]
        == f"http://testserver/credentials/status/{issued.status_list}/"
    )
    assert entry["statusListIndex"] == str(issued.status_list_index)
    assert entry["id"] == f"{entry['statusListCredential']}#{issued.status_list_index}"
    response = client.get(f"/credentials/status/{issued.status_list}/")
    status_credential = json.loads(response.content)
    assert status_credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert status_credential["issuer"] == "did:web:testserver"
    encoded = status_credential["credentialSubject"]["encodedList"]
    assert encoded.startswith("u") and "=" not in encoded
    assert len(status_list.decoded_list(encoded)) == 16 * 1024  # 131,072 entries
    assert response["Cache-Control"] == "public, max-age=60"
    assert client.get("/credentials/status/999/").status_code == 404


def test_revoking_sets_the_bit_and_the_verification_page_says_revoked_restoring_clears_it(
    client, issued
):
    admin = staff_user(group="Administrators")
    credential = _credential(client, issued)
    assert _status_bit(client, credential) is False

    services.certificate_revoke(certificate=issued, actor=admin, reason="Fraud check")
    assert _status_bit(client, credential) is True
    page = client.get(f"/verify/{issued.number}/").content.decode()
    assert "Revoked</span> the provider's status list marks this credential" in page
    assert "Download the badge" not in page
    # The signature still verifies: the credential is authentic, and revoked.
    assert "Verified</span>" in page

    services.certificate_restore(certificate=issued, actor=admin, reason="Cleared")
    assert _status_bit(client, credential) is False
    page = client.get(f"/verify/{issued.number}/").content.decode()
    assert "Not revoked" in page


def test_a_reissue_sets_the_old_certificates_bit_and_not_the_new_ones(client, issued):
    old_credential = _credential(client, issued)
    new = services.certificate_reissue(
        certificate=issued, actor=staff_user(group="Administrators"), reason="Name corrected"
    )
    assert _status_bit(client, old_credential) is True
    assert _status_bit(client, _credential(client, new)) is False
    assert (new.status_list, new.status_list_index) != (
        issued.status_list,
        issued.status_list_index,
    )


def test_each_certificate_owns_a_distinct_bit_and_a_full_list_starts_the_next(issued, monkeypatch):
    others = [
        Certificate.objects.get(
            enrollment=course_completed_by(
                user=clinician(full_name=f"Person {n}"), course=issued.course
            )[0]
        )
        for n in range(2)
    ]
    bits = {(c.status_list, c.status_list_index) for c in [issued, *others]}
    assert len(bits) == 3
    assert all(0 <= index < status_list.LIST_LENGTH for _, index in bits)
    # A list whose every bit is taken: the next certificate opens list 2.
    monkeypatch.setattr(status_list, "LIST_LENGTH", 1)
    Certificate.objects.filter(pk=issued.pk).update(status_list=1, status_list_index=0)
    Certificate.objects.filter(pk__in=[c.pk for c in others]).update(status_list=0)
    assert status_list.status_list_slot_draw() == {"status_list": 2, "status_list_index": 0}


# --- 1EdTech's JSON Schema -----------------------------------------------------------------


def test_accredited_and_attendance_credentials_validate_against_1edtech_achievementcredential_schema(
    client, issued
):
    schema = json.loads((DATA / "ob_v3p0_achievementcredential_schema.json").read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)

    attendance_user = clinician(full_name="Ana Ruiz", professions=("counselor",))
    enrollment, _ = course_completed_by(
        user=attendance_user, course=course_build(accreditors=[AccreditorFactory()]), accreditors=[]
    )
    attendance = Certificate.objects.get(enrollment=enrollment)
    assert attendance.kind == Certificate.Kind.ATTENDANCE
    for certificate in (issued, attendance):
        credential = _credential(client, certificate)
        errors = sorted(validator.iter_errors(credential), key=lambda e: list(e.path))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
        assert credential["credentialSchema"][0]["type"] == "1EdTechJsonSchemaValidator2019"
    # The schema is no formality: a credential without its issuer fails it.
    broken = _credential(client, issued)
    del broken["issuer"]
    assert not validator.is_valid(broken)


# --- Keys: generation, storage, rotation ---------------------------------------------------


def test_a_credential_signed_by_a_key_rotated_out_still_verifies(
    client, issued, tmp_path, settings
):
    settings.CREDENTIAL_SIGNING_KEY_DIR = str(tmp_path / "keys")
    settings.CREDENTIAL_SIGNING_KEY_AUTOGENERATE = False
    call_command("credentials_keygen")
    old_key = keys.key_set_load().signing
    before = _credential(client, issued)
    assert before["proof"][0]["verificationMethod"] == old_key.verification_method

    call_command("credentials_keygen", rotate=True)
    key_set = keys.key_set_load()
    assert key_set.signing.key_id != old_key.key_id
    rotated = key_set.find(old_key.key_id)
    assert rotated is not None and not rotated.can_sign  # verification only
    assert not (tmp_path / "keys" / f"{old_key.key_id}.pem").exists()
    assert (tmp_path / "keys" / f"{old_key.key_id}.pub.pem").exists()

    did_document = _did_document(client)
    assert [m["id"] for m in did_document["verificationMethod"]] == [
        key_set.signing.verification_method,
        old_key.verification_method,
    ]
    assert verify_with_libsodium(before, did_document)
    assert credential_verify(before).verified
    after = _credential(client, issued)
    assert after["proof"][0]["verificationMethod"] == key_set.signing.verification_method
    assert verify_with_libsodium(after, did_document)


def test_keygen_refuses_to_replace_a_key_without_rotate(tmp_path, settings):
    settings.CREDENTIAL_SIGNING_KEY_DIR = str(tmp_path)
    call_command("credentials_keygen")
    key_file = next(tmp_path.glob("key-*.pem"))
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(CommandError, match="use --rotate"):
        call_command("credentials_keygen")
    call_command("credentials_keygen", if_missing=True)  # deployments run it every time
    assert list(tmp_path.glob("key-*.pem")) == [key_file]


@override_settings(CREDENTIAL_SIGNING_KEY_AUTOGENERATE=False)
def test_without_autogeneration_a_missing_key_is_a_check_error_naming_the_setting(
    tmp_path, settings
):
    settings.CREDENTIAL_SIGNING_KEY_DIR = ""
    (error,) = credential_signing_key_check()
    assert error.id == "certificates.E001"
    assert "CREDENTIAL_SIGNING_KEY_DIR is not set" in error.msg
    settings.CREDENTIAL_SIGNING_KEY_DIR = str(tmp_path)
    (warning,) = credential_signing_key_check()
    assert warning.id == "certificates.W001"
    assert "credentials_keygen" in warning.hint
    call_command("credentials_keygen")
    assert credential_signing_key_check() == []


def test_production_settings_refuse_to_start_without_a_signing_key_directory():
    result = python_run(
        "manage.py",
        "check",
        env_extra=PRODUCTION_ENV,
        env_without=("CREDENTIAL_SIGNING_KEY_DIR",),
    )
    assert result.returncode != 0
    assert "certificates.E001" in result.stderr
    assert "CREDENTIAL_SIGNING_KEY_DIR is not set" in result.stderr


def test_delivery_signs_nothing(issued, monkeypatch, django_capture_on_commit_callbacks, deliver):
    """Signing stays off the delivery path (render, store, email): a credential is
    signed when first asked for (docs/benchmarks.md counts 0 ms for delivery)."""
    from certificates import badges
    from certificates.credentials import data_integrity

    def refuse(*args, **kwargs):
        raise AssertionError("delivery must not sign a credential")

    monkeypatch.setattr(data_integrity, "proof_add", refuse)
    monkeypatch.setattr(badges, "proof_add", refuse)
    monkeypatch.setattr(status_list, "proof_add", refuse)
    with django_capture_on_commit_callbacks(execute=False):
        course_completed_by(user=clinician(full_name="Lee Park"), course=issued.course)
    certificate = Certificate.objects.exclude(pk=issued.pk).get()
    delivered = deliver(certificate)
    assert delivered.rendered_at is not None and delivered.emailed_at is not None


def test_without_a_key_the_badge_urls_answer_503_and_the_page_still_verifies(
    client, issued, tmp_path, settings
):
    settings.CREDENTIAL_SIGNING_KEY_AUTOGENERATE = False
    settings.CREDENTIAL_SIGNING_KEY_DIR = str(tmp_path / "empty")
    assert client.get(f"/verify/{issued.number}/credential/").status_code == 503
    assert client.get("/.well-known/did.json").status_code == 503
    assert client.get(f"/credentials/status/{issued.status_list}/").status_code == 503
    page = client.get(f"/verify/{issued.number}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Valid" in text
    assert "The signed badge for this certificate is not available right now." in text
    client.force_login(issued.user)
    assert client.get(f"/certificates/{issued.number}/badge/").status_code == 503
