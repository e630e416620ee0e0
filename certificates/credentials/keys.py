"""The provider's Ed25519 signing keys, kept in files outside the database.

A key directory (settings.CREDENTIAL_SIGNING_KEY_DIR) holds:

- ``<key id>.pem``: a private key (PKCS#8, mode 0600), the one that signs;
- ``<key id>.pub.pem``: the public half of a key rotated out, kept so that
  credentials it signed still verify (verification only: it can sign nothing);
- ``current``: the id of the key that signs.

Every key in the directory is published in the issuer's DID document
(``/.well-known/did.json``, did:web), the current one first.
"""

from __future__ import annotations

import fcntl
import os
import secrets
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CURRENT_FILE = "current"
PRIVATE_SUFFIX = ".pem"
PUBLIC_SUFFIX = ".pub.pem"
# Multicodec prefix of an Ed25519 public key (0xed, varint-encoded), as Multikey requires.
ED25519_PUB_MULTICODEC = b"\xed\x01"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class KeyStoreError(Exception):
    """The key directory cannot give a signing key: the message says why and what to do."""


# --- Multibase (base58btc) -----------------------------------------------------------------


def base58btc_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, rest = divmod(number, 58)
        digits.append(_B58[rest])
    leading_zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading_zeros + "".join(reversed(digits))


def base58btc_decode(text: str) -> bytes:
    number = 0
    for char in text:
        position = _B58.find(char)
        if position < 0:
            raise ValueError(f"Not a base58btc character: {char!r}")
        number = number * 58 + position
    leading_zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * leading_zeros + body


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + base58btc_encode(ED25519_PUB_MULTICODEC + raw)


def public_key_from_multibase(text: str) -> Ed25519PublicKey:
    if not text.startswith("z"):
        raise ValueError("Only base58btc multibase (z…) is supported.")
    decoded = base58btc_decode(text[1:])
    if not decoded.startswith(ED25519_PUB_MULTICODEC) or len(decoded) != 34:
        raise ValueError("Not an Ed25519 Multikey.")
    return Ed25519PublicKey.from_public_bytes(decoded[2:])


# --- The issuer's identifier ---------------------------------------------------------------


def issuer_did() -> str:
    """did:web of the site (SITE_URL): ``https://ce.example.org`` → ``did:web:ce.example.org``,
    a port percent-encoded (``did:web:localhost%3A8000``), a path as colon-separated parts.
    It resolves to ``<SITE_URL>/.well-known/did.json`` (no path) or ``<SITE_URL>/did.json``."""
    parts = urlsplit(settings.SITE_URL)
    host = parts.hostname or "localhost"
    if parts.port:
        host += quote(f":{parts.port}")
    path = [quote(segment, safe="") for segment in parts.path.strip("/").split("/") if segment]
    return ":".join(["did:web", host, *path])


def verification_method_id(key_id: str) -> str:
    return f"{issuer_did()}#{key_id}"


# --- Keys ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CredentialKey:
    key_id: str
    public_key: Ed25519PublicKey
    private_key: Ed25519PrivateKey | None  # None: rotated out, verification only

    @property
    def can_sign(self) -> bool:
        return self.private_key is not None

    @property
    def public_multibase(self) -> str:
        return public_key_multibase(self.public_key)

    @property
    def verification_method(self) -> str:
        return verification_method_id(self.key_id)


@dataclass(frozen=True)
class KeySet:
    signing: CredentialKey
    keys: tuple[CredentialKey, ...]  # the signing key first, then the older ones

    def find(self, key_id: str) -> CredentialKey | None:
        return next((key for key in self.keys if key.key_id == key_id), None)


def key_dir() -> Path:
    configured = getattr(settings, "CREDENTIAL_SIGNING_KEY_DIR", "")
    if not configured:
        raise ImproperlyConfigured(
            "CREDENTIAL_SIGNING_KEY_DIR is not set: certificates' Open Badges cannot be signed. "
            "Set it to a directory outside the code and the database, readable only by the "
            "application, and run `manage.py credentials_keygen` once (docs/operations.md)."
        )
    return Path(configured)


@contextmanager
def _locked(directory: Path):
    """An exclusive lock on the directory, so two processes never make two first keys
    or rotate at once."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(directory / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _write_atomically(path: Path, data: bytes, mode: int) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _key_ids(directory: Path) -> tuple[list[str], list[str]]:
    names = [p.name for p in directory.iterdir()] if directory.is_dir() else []
    private = sorted(
        n[: -len(PRIVATE_SUFFIX)]
        for n in names
        if n.endswith(PRIVATE_SUFFIX) and not n.endswith(PUBLIC_SUFFIX)
    )
    public = sorted(n[: -len(PUBLIC_SUFFIX)] for n in names if n.endswith(PUBLIC_SUFFIX))
    return private, public


def key_generate(directory: Path, *, rotate: bool = False) -> CredentialKey:
    """Make a new signing key in `directory` and make it current. With keys already
    there, refuse unless `rotate`: then the old private keys are replaced by their
    public halves (verification only), so they can no longer sign but everything
    they signed still verifies."""
    with _locked(directory):
        private_ids, public_ids = _key_ids(directory)
        if (private_ids or public_ids) and not rotate:
            raise KeyStoreError(
                f"{directory} already holds signing keys; use --rotate to replace the current one."
            )
        key_id = f"key-{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(4)}"
        private_key = Ed25519PrivateKey.generate()
        pem = private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_atomically(directory / f"{key_id}{PRIVATE_SUFFIX}", pem, 0o600)
        _write_atomically(directory / CURRENT_FILE, f"{key_id}\n".encode(), 0o600)
        for old_id in private_ids:
            old_path = directory / f"{old_id}{PRIVATE_SUFFIX}"
            old_key = serialization.load_pem_private_key(old_path.read_bytes(), password=None)
            public_pem = old_key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            _write_atomically(directory / f"{old_id}{PUBLIC_SUFFIX}", public_pem, 0o644)
            old_path.unlink()
    return CredentialKey(
        key_id=key_id, public_key=private_key.public_key(), private_key=private_key
    )


def _read(directory: Path) -> KeySet:
    private_ids, public_ids = _key_ids(directory)
    current_path = directory / CURRENT_FILE
    if not current_path.exists() or not private_ids:
        raise KeyStoreError(
            f"No signing key in {directory}: run `manage.py credentials_keygen` (docs/operations.md)."
        )
    current = current_path.read_text().strip()
    keys: list[CredentialKey] = []
    for key_id in private_ids:
        private_key = serialization.load_pem_private_key(
            (directory / f"{key_id}{PRIVATE_SUFFIX}").read_bytes(), password=None
        )
        if not isinstance(private_key, Ed25519PrivateKey):
            raise KeyStoreError(f"{key_id}{PRIVATE_SUFFIX} is not an Ed25519 private key.")
        keys.append(CredentialKey(key_id, private_key.public_key(), private_key))
    for key_id in public_ids:
        if key_id in private_ids:
            continue
        public_key = serialization.load_pem_public_key(
            (directory / f"{key_id}{PUBLIC_SUFFIX}").read_bytes()
        )
        if not isinstance(public_key, Ed25519PublicKey):
            raise KeyStoreError(f"{key_id}{PUBLIC_SUFFIX} is not an Ed25519 public key.")
        keys.append(CredentialKey(key_id, public_key, None))
    signing = next((key for key in keys if key.key_id == current and key.can_sign), None)
    if signing is None:
        raise KeyStoreError(
            f"{directory / CURRENT_FILE} names “{current}”, which has no private key there."
        )
    # Newest first after the signing key: ids begin with their creation date.
    others = sorted((k for k in keys if k is not signing), key=lambda k: k.key_id, reverse=True)
    return KeySet(signing=signing, keys=(signing, *others))


_cache: dict[tuple, KeySet] = {}


def key_set_load() -> KeySet:
    """The key set, read again whenever a file in the directory changes (a rotation
    reaches running processes without a restart). Dev and test settings
    (CREDENTIAL_SIGNING_KEY_AUTOGENERATE) make the first key if there is none;
    elsewhere a missing key is an error that says what to run."""
    directory = key_dir()
    if not (directory / CURRENT_FILE).exists() and getattr(
        settings, "CREDENTIAL_SIGNING_KEY_AUTOGENERATE", False
    ):
        with suppress(KeyStoreError):  # another process made it first
            key_generate(directory)
    try:
        stamp = (
            str(directory),
            *sorted((p.name, p.stat().st_mtime_ns) for p in directory.iterdir()),
        )
    except FileNotFoundError as error:
        raise KeyStoreError(
            f"The credential key directory {directory} does not exist: create it and run "
            "`manage.py credentials_keygen` (docs/operations.md)."
        ) from error
    key_set = _cache.get(stamp)
    if key_set is None:
        key_set = _read(directory)
        _cache.clear()
        _cache[stamp] = key_set
    return key_set


def did_document(key_set: KeySet) -> dict:
    """The issuer's DID document: every key, current and rotated out, as a Multikey
    that may verify assertions (credentials and status lists)."""
    did = issuer_did()
    methods = [
        {
            "id": key.verification_method,
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.public_multibase,
        }
        for key in key_set.keys
    ]
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }
