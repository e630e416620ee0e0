"""Signing certificates' Open Badges: a micro-benchmark in one process.

Measures, on a credential shaped exactly like a certificate's (badges.py):

1. an eddsa-rdfc-2022 Data Integrity proof (canonicalise the credential and the
   proof options with pyld, hash, sign with Ed25519) — the first signature in a
   process and the median after it;
2. checking that proof (the same canonicalisation, then Ed25519 verify);
3. a served credential already in the cache (hash of the unsigned badge, cache
   read, JSON decoding), which is what the credential URLs cost after the first
   request;
4. a signed BitstringStatusListCredential of 131,072 bits, 1 % of them set;
5. for comparison, what VC-JWT would cost: a compact JWS (EdDSA) of the same
   credential, signed with the same library.

Target (issue 13): signing adds under 2 ms per certificate. Signing is not on
the delivery path (render, store, email): a credential is signed when it is
first asked for, then served from the cache (docs/certificates.md).

Run: ``.venv/bin/python benchmarks/credentials.py`` (or ``make bench``). Needs no
database. Results go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.report import machine_description, report_publish, section_opening  # noqa: E402

TARGET_SIGN_MS = 2.0


def credential_sample(i: int) -> dict:
    """An accredited certificate's Open Badge, unsigned, as badges.certificate_badge makes it."""
    site = "https://ce.practicum.example"
    number = f"PRC-2026-7KQ9-X{i % 10}DM"
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": f"{site}/verify/{number}/",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Certificate of completion: Understanding stuck treatments",
        "issuer": {
            "id": "did:web:ce.practicum.example",
            "type": ["Profile"],
            "name": "Practicum Continuing Education",
            "url": site,
            "email": "ce@practicum.example",
        },
        "validFrom": "2026-03-01T10:15:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": f"Dana Whitfield {i}",
                }
            ],
            "achievement": {
                "id": f"{site}/courses/{40 + i}/achievement/APA",
                "type": ["Achievement"],
                "achievementType": "CertificateOfCompletion",
                "name": "Understanding stuck treatments",
                "description": "1.5 continuing education credit hour(s) under the American "
                "Psychological Association for the course “Understanding stuck treatments”.",
                "criteria": {
                    "narrative": "Completed every lesson, passed the post-test, completed the "
                    "evaluation and attested to having done the work personally.",
                    "id": f"{site}/courses/understanding-stuck-treatments/",
                },
                "creditsAvailable": 1.5,
                "inLanguage": "en",
            },
            "creditsEarned": 1.5,
            "activityEndDate": "2026-03-01T00:00:00Z",
        },
        "credentialStatus": {
            "id": f"{site}/credentials/status/1/#{1000 + i}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(1000 + i),
            "statusListCredential": f"{site}/credentials/status/1/",
        },
        "credentialSchema": [
            {
                "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
                "ob_v3p0_achievementcredential_schema.json",
                "type": "1EdTechJsonSchemaValidator2019",
            }
        ],
    }


_cpu_ms: dict[int, list[float]] = {}


def _timed(fn, count: int) -> tuple[list[float], object]:
    """Wall-clock times in ms (the CPU times are kept in _cpu_ms under the same list's id:
    on a shared machine they show what the code costs whatever the load)."""
    times, cpu, result = [], [], None
    for i in range(count):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = fn(i)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    _cpu_ms[id(times)] = cpu
    return times, result


def _cpu_median(times: list[float]) -> float:
    return statistics.median(_cpu_ms[id(times)])


def _p95(times: list[float]) -> float:
    return sorted(times)[int(len(times) * 0.95) - 1]


def run(count: int) -> dict:
    import django

    django.setup()
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from django.core.cache import cache

    from certificates.credentials import status_list
    from certificates.credentials.data_integrity import proof_add, proof_verify
    from certificates.credentials.keys import CredentialKey

    private_key = Ed25519PrivateKey.generate()
    key = CredentialKey("key-bench", private_key.public_key(), private_key)
    method = "did:web:ce.practicum.example#key-bench"
    created = "2026-03-01T10:15:01Z"

    def sign(i):
        return proof_add(credential_sample(i), key=key, created=created, verification_method=method)

    first_times, _ = _timed(sign, 1)
    sign_times, signed = _timed(sign, count)
    signed_all = [sign(i) for i in range(20)]

    def verify(i):
        check = proof_verify(signed_all[i % 20], resolve=lambda _m: key.public_key)
        assert check.verified, check
        return check

    verify_times, _ = _timed(verify, count)

    cache.set("bench:credential", json.dumps(signed))

    def served_from_cache(i):
        badge = credential_sample(i)
        hashlib.sha256(json.dumps(badge, sort_keys=True).encode()).hexdigest()
        return json.loads(cache.get("bench:credential"))

    cached_times, _ = _timed(served_from_cache, count)

    set_bits = sorted(range(0, status_list.LIST_LENGTH, 100))  # 1 %

    def status_list_signed(i):
        credential = {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": "https://ce.practicum.example/credentials/status/1/",
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": "did:web:ce.practicum.example",
            "validFrom": created,
            "credentialSubject": {
                "id": "https://ce.practicum.example/credentials/status/1/#list",
                "type": "BitstringStatusList",
                "statusPurpose": "revocation",
                "encodedList": status_list.encoded_list(set_bits),
            },
        }
        return proof_add(credential, key=key, created=created, verification_method=method)

    list_times, _ = _timed(status_list_signed, max(20, count // 10))

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    header = b64(json.dumps({"alg": "EdDSA", "kid": method, "typ": "JWT"}).encode())

    def jws(i):
        payload = b64(json.dumps(credential_sample(i), separators=(",", ":")).encode())
        signing_input = f"{header}.{payload}".encode()
        return f"{header}.{payload}.{b64(private_key.sign(signing_input))}"

    jws_times, _ = _timed(jws, count)
    return {
        "count": count,
        "first_ms": first_times[0],
        "sign_median_ms": statistics.median(sign_times),
        "sign_cpu_ms": _cpu_median(sign_times),
        "verify_cpu_ms": _cpu_median(verify_times),
        "sign_p95_ms": _p95(sign_times),
        "verify_median_ms": statistics.median(verify_times),
        "cached_median_ms": statistics.median(cached_times),
        "list_median_ms": statistics.median(list_times),
        "list_count": len(list_times),
        "jws_median_ms": statistics.median(jws_times),
    }


def machine() -> str:
    import pyld

    version = getattr(pyld, "__version__", None)
    if version is None:
        from importlib.metadata import version as package_version

        version = package_version("pyld")
    return machine_description(f"pyld {version}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300, help="operations per median")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")

    load_before = os.getloadavg()[0]
    r = run(args.count)
    load_after = os.getloadavg()[0]
    meets = r["sign_median_ms"] <= TARGET_SIGN_MS
    rows = [
        ("Sign one certificate's credential: eddsa-rdfc-2022 (pyld RDFC-1.0 + Ed25519), median",
         f"{r['sign_median_ms']:.2f} ms", f"≤ {TARGET_SIGN_MS:.0f} ms",
         "meets" if meets else "**misses**",
         f"{r['count']} signatures; CPU {r['sign_cpu_ms']:.2f} ms; p95 {r['sign_p95_ms']:.2f} ms; "
         "the first in a process "
         f"{r['first_ms']:.1f} ms (contexts loaded). Paid once per credential and key, when it is "
         "first asked for; not on the delivery path"),
        ("Added to delivery (completion → PDF stored → emailed)", "0 ms", "≤ 2 ms", "meets",
         "delivery signs nothing: the credential is signed on first request and cached"),
        ("Serve a credential already signed (from the cache), median",
         f"{r['cached_median_ms']:.3f} ms", "—", "—",
         "badge hash, cache read, JSON decoding (local-memory cache)"),
        ("Check a credential's proof (as the verification page does), median",
         f"{r['verify_median_ms']:.2f} ms", "—", "—",
         f"CPU {r['verify_cpu_ms']:.2f} ms; the same canonicalisation, then Ed25519 verify; "
         "the page caches the result"),
        ("Sign the status list (131,072 bits, 1 % set), median",
         f"{r['list_median_ms']:.2f} ms", "—", "—",
         f"{r['list_count']} lists; GZIP, base64url, eddsa-rdfc-2022; cached until a bit changes"),
        ("For comparison: the same credential as a VC-JWT (EdDSA compact JWS), median",
         f"{r['jws_median_ms']:.3f} ms", "—", "—",
         "no canonicalisation; not used (docs/certificates.md says why)"),
    ]  # fmt: skip
    table = [
        "| Measure | Result | Target | | Detail |",
        "|---|---|---|---|---|",
        *[f"| {a} | {b} | {c} | {d} | {e} |" for a, b, c, d, e in rows],
    ]
    load_note = "."
    if max(load_before, load_after) > 1.5:
        load_note = (
            ": the machine was shared with other work, so wall-clock times are upper bounds; "
            "the CPU times show what the code itself costs."
        )
    body = "\n".join(
        [
            *section_opening(
                machine=machine(),
                command="make bench  (or: .venv/bin/python benchmarks/credentials.py)",
                loads=(load_before, load_after),
                load_note=load_note,
            ),
            "",
            *table,
            "",
            "One process, no database: the credential has the shape of a certificate's Open "
            "Badge (benchmarks/credentials.py). The signer keeps pyld's processed JSON-LD "
            "contexts between documents (certificates/credentials/data_integrity.py): "
            "re-processing the Open Badges context's type-scoped contexts for every signature "
            "was 80 % of its time (3.1 ms before, profiled with cProfile); what is left is "
            "pyld's expansion, RDF conversion and RDFC-1.0 of the two documents; Ed25519 "
            "itself takes about 0.04 ms.",
        ]
    )
    report_publish(
        section="credentials", title="Open Badge signatures", body=body, write=not args.no_write
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
