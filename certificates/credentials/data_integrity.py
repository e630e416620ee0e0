"""Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite (W3C vc-di-eddsa):
the proof OB 3.0 certified verifiers must accept (docs/certificates.md).

Signing: canonicalise the credential and the proof options (JSON-LD → RDF, then
RDFC-1.0, by pyld), hash each with SHA-256, sign proof hash ‖ document hash with
Ed25519, put the signature in ``proof.proofValue`` (multibase base58btc).

Contexts are read from ``contexts/`` (pinned, see its README), never fetched.
A property that no context defines is not dropped: the VC 2.0 context's
``@vocab`` maps it to an issuer-dependent IRI, so it is signed like the rest
(pyld 3 has no "safe mode" that would refuse it; the ``safe`` option passed
below is kept for the versions that do).
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
#: Processed JSON-LD contexts, shared by every canonicalisation in the process
#: (see _MemoProcessor). Bounded: our documents use a handful of contexts.
_PROCESSED_MAX = 512
_processed: dict[tuple, tuple[object, dict]] = {}


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


class _MemoProcessor(jsonld.JsonLdProcessor):
    """pyld's processor, remembering processed contexts across documents.

    Profiled (benchmarks/credentials.py), 80 % of a signature was JSON-LD
    expansion re-processing the Open Badges context's type-scoped contexts for
    every document: pyld caches a processed context by the id (`_uuid`) of the
    active context it was applied to, but a type-scoped context (`@propagate:
    false`) is applied to a fresh clone with a fresh id each time, so its cache
    never hits and each signature re-built ~60 term definitions per scope.

    Processing a context is a pure function of the active context it is applied
    to, the local context and the flags; an active context is never changed
    once it has its `_uuid` (pyld's own cache relies on that). So the result
    is kept under (active context's `_uuid`, the local context, the flags) and
    the same object handed back, whose stable `_uuid` then lets the nested
    scopes hit too. The local context is keyed by value for a URL and by
    identity for an object (a context from a processed term definition, kept
    alive in the cache entry so the identity cannot be reused). The test
    suite checks the canonical N-Quads against pyld's own processor.
    """

    def _process_context(
        self,
        active_ctx,
        local_ctx,
        options,
        override_protected=False,
        propagate=True,
        validate_scoped=True,
        cycles=None,
    ):
        uuid = active_ctx.get("_uuid") if isinstance(active_ctx, dict) else None
        if uuid is None or cycles:
            return super()._process_context(
                active_ctx,
                local_ctx,
                options,
                override_protected,
                propagate,
                validate_scoped,
                cycles,
            )
        local_key = local_ctx if isinstance(local_ctx, str) else id(local_ctx)
        key = (
            uuid,
            local_key,
            override_protected,
            propagate,
            validate_scoped,
            options.get("base"),
            options.get("processingMode"),
        )
        hit = _processed.get(key)
        if hit is not None and (isinstance(local_ctx, str) or hit[0] is local_ctx):
            return hit[1]
        result = super()._process_context(
            active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
        )
        if len(_processed) >= _PROCESSED_MAX:
            _processed.clear()
        _processed[key] = (local_ctx, result)
        return result


def canonical_nquads(document: dict, *, contexts: dict[str, dict] | None = None) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document. `contexts`: documents the
    loader may serve besides the pinned ones (tests use the W3C example context)."""
    try:
        return _MemoProcessor().normalize(
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
