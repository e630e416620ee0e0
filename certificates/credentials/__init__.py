"""Verifiable credentials for certificates: the provider's signing keys
(keys.py), Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite
(data_integrity.py) and the Bitstring Status List that says which
credentials no longer stand (status_list.py). See docs/certificates.md."""
