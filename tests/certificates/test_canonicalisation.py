"""The canonical form that signatures are made over: the signer keeps pyld's
processed JSON-LD contexts between documents (certificates.credentials.
data_integrity._MemoProcessor, for speed), and must still produce exactly what
pyld's own processor produces, document after document, cache cold or warm."""

import copy
import json
from pathlib import Path

from pyld import jsonld

from benchmarks.credentials import credential_sample
from certificates.credentials import data_integrity
from certificates.credentials.data_integrity import PINNED_CONTEXTS, canonical_nquads

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
CONTEXT_DIR = ROOT / "certificates" / "credentials" / "contexts"


def _pyld_alone(document: dict, extra: dict | None = None) -> str:
    """Plain pyld, a fresh loader, none of the signer's code."""

    def load(url, options=None):
        if extra and url in extra:
            body = extra[url]
        else:
            body = json.loads((CONTEXT_DIR / PINNED_CONTEXTS[url]).read_text())
        return {"contextUrl": None, "documentUrl": url, "document": body}

    return jsonld.normalize(
        document,
        {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": load},
    )


def _shapes() -> list[dict]:
    accredited = credential_sample(1)
    no_course_page = credential_sample(2)
    del no_course_page["credentialSubject"]["achievement"]["criteria"]["id"]
    attendance = credential_sample(3)
    attendance["credentialSubject"]["achievement"]["description"] = "Attendance of a course."
    attendance["credentialSubject"]["achievement"]["id"] += "-attendance"
    status_list = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "https://ce.practicum.example/credentials/status/1/",
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": "did:web:ce.practicum.example",
        "validFrom": "2026-03-01T10:15:01Z",
        "credentialSubject": {
            "id": "https://ce.practicum.example/credentials/status/1/#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
        },
    }
    proof_options = {
        "@context": accredited["@context"],
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2026-03-01T10:15:01Z",
        "verificationMethod": "did:web:ce.practicum.example#key-1",
        "proofPurpose": "assertionMethod",
    }
    return [accredited, proof_options, no_course_page, status_list, attendance, proof_options]


def test_the_signers_canonical_form_is_pyld_s_for_every_document_shape_cold_and_warm():
    data_integrity._processed.clear()
    documents = _shapes()
    for round_ in range(3):  # the first round fills the cache, the next ones use it
        for document in documents:
            changed = copy.deepcopy(document)
            if "credentialSubject" in changed and "identifier" in changed["credentialSubject"]:
                changed["credentialSubject"]["identifier"][0]["identityHash"] = f"Ana {round_}"
            expected = _pyld_alone(changed)
            assert canonical_nquads(changed) == expected
            assert expected.count("\n") > 4
    assert data_integrity._processed, "the contexts were not kept between documents"


def test_the_w3c_vector_canonicalises_as_pyld_does_after_the_cache_is_warm():
    vector = json.loads((DATA / "vc-di-eddsa" / "eddsa-rdfc-2022-vector.json").read_text())
    contexts = vector["contexts"]
    canonical_nquads(_shapes()[0])
    for _ in range(2):
        assert canonical_nquads(vector["unsigned"], contexts=contexts) == _pyld_alone(
            vector["unsigned"], contexts
        )
