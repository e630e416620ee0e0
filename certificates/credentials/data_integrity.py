"""Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite (W3C vc-di-eddsa):
the proof OB 3.0 certified verifiers must accept (docs/certificates.md).

Signing: canonicalise the credential and the proof options (JSON-LD → RDF, then
RDFC-1.0, by pyld), hash each with SHA-256, sign proof hash ‖ document hash with
Ed25519, put the signature in ``proof.proofValue`` (multibase base58btc).

Contexts are read from ``contexts/`` (pinned, see its README), never fetched.
pyld runs in safe mode: a property that no context defines would be left out of
the canonical form, unsigned, so it is an error instead.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyld import jsonld

from .keys import CredentialKey, base58btc_decode, base58btc_encode

CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"
PROOF_PURPOSE = "assertionMethod"

_CONTEXT_DIR = Path(__file__).resolve().parent / "contexts"
PINNED_CONTEXTS = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
}
_documents: dict[str, dict] = {}


class ProofError(Exception):
    """A document could not be signed or checked (unknown context, undefined term…)."""


def _pinned(url: str) -> dict | None:
    if url not in _documents and url in PINNED_CONTEXTS:
        _documents[url] = json.loads((_CONTEXT_DIR / PINNED_CONTEXTS[url]).read_text())
    return _documents.get(url)


def _loader(extra: dict[str, dict] | None):
    def load(url, options=None):
        document = (extra or {}).get(url) or _pinned(url)
        if document is None:
            raise ProofError(f"Unknown JSON-LD context {url}: only pinned contexts are used.")
        # "static": pyld keeps the resolved context between calls.
        return {"contextUrl": None, "documentUrl": url, "document": document, "tag": "static"}

    return load


def canonical_nquads(document: dict, *, contexts: dict[str, dict] | None = None) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document. `contexts`: documents the
    loader may serve besides the pinned ones (tests use the W3C example context)."""
    try:
        return jsonld.normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": _loader(contexts),
                "safe": True,
            },
        )
    except jsonld.JsonLdError as error:
        raise ProofError(f"Cannot canonicalise the document: {error}") from error


def _hash_data(unsecured: dict, proof_options: dict, contexts) -> bytes:
    proof_hash = hashlib.sha256(canonical_nquads(proof_options, contexts=contexts).encode())
    document_hash = hashlib.sha256(canonical_nquads(unsecured, contexts=contexts).encode())
    return proof_hash.digest() + document_hash.digest()


def proof_add(
    document: dict,
    *,
    key: CredentialKey,
    created: str,
    verification_method: str | None = None,
    contexts: dict[str, dict] | None = None,
) -> dict:
    """`document` with an eddsa-rdfc-2022 proof made by `key` (which must be able to sign)."""
    if key.private_key is None:
        raise ProofError(f"Key {key.key_id} was rotated out: it verifies, it does not sign.")
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method or key.verification_method,
        "proofPurpose": PROOF_PURPOSE,
    }
    signature = key.private_key.sign(
        _hash_data(unsecured, {**options, "@context": unsecured["@context"]}, contexts)
    )
    return {**unsecured, "proof": {**options, "proofValue": "z" + base58btc_encode(signature)}}


@dataclass(frozen=True)
class ProofCheck:
    verified: bool
    verification_method: str = ""
    problem: str = ""


def proof_verify(
    document: dict,
    *,
    resolve: Callable[[str], Ed25519PublicKey | None],
    contexts: dict[str, dict] | None = None,
) -> ProofCheck:
    """Check `document`'s eddsa-rdfc-2022 proof (one proof, or a list of them of which
    any one may verify, as OB 3.0 allows). `resolve` maps a verification method id to
    the public key its controller published, or None when it is unknown."""
    proofs = document.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs]
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    check = ProofCheck(False, problem="The document has no proof.")
    for proof in proofs:
        if isinstance(proof, dict):
            check = _proof_check(unsecured, proof, resolve=resolve, contexts=contexts)
            if check.verified:
                break
    return check


def _proof_check(unsecured: dict, proof: dict, *, resolve, contexts) -> ProofCheck:
    method = str(proof.get("verificationMethod", ""))
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        return ProofCheck(False, method, "Not an eddsa-rdfc-2022 Data Integrity proof.")
    if proof.get("proofPurpose") != PROOF_PURPOSE:
        return ProofCheck(False, method, "The proof is not for assertions.")
    public_key = resolve(method)
    if public_key is None:
        return ProofCheck(False, method, "The signing key is not one the issuer published.")
    try:
        signature = base58btc_decode(str(proof.get("proofValue", ""))[1:])
    except ValueError:
        return ProofCheck(False, method, "The proof value is not base58btc.")
    if not str(proof.get("proofValue", "")).startswith("z") or len(signature) != 64:
        return ProofCheck(False, method, "The proof value is not an Ed25519 signature.")
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    options["@context"] = unsecured.get("@context")
    try:
        public_key.verify(signature, _hash_data(unsecured, options, contexts))
    except InvalidSignature:
        return ProofCheck(False, method, "The signature does not match the document.")
    except ProofError as error:
        return ProofCheck(False, method, str(error))
    return ProofCheck(True, method)
