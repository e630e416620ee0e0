"""The seam through which higher apps keep what their records need when a
clinician deletes their account (`accounts.services.user_delete_self`).

`accounts` knows nothing of courses or certificates. When a person deletes
their account, what points at them says by its `on_delete` what becomes of it:
records that must outlive the account protect themselves with
`on_delete=PROTECT` (enrollments, certificates, and what hangs off them), and
personal data that dies with the account uses `CASCADE` (licenses, email
addresses, authenticators, journal reflections). One thing needs more than
that: a license printed on a certificate is part of that record (rosters list
it, a reissue prints it again), while the profile's other licenses are not.
A higher app names the licenses its records froze:

    from accounts.registry import register_kept_licenses
    register_kept_licenses(finder)   # finder(*, user) -> set of ClinicianLicense ids
"""

from collections.abc import Callable

KeptLicenses = Callable[..., set[int]]
_kept_license_finders: list[KeptLicenses] = []


def register_kept_licenses(finder: KeptLicenses) -> None:
    if finder not in _kept_license_finders:
        _kept_license_finders.append(finder)


def kept_license_ids(*, user) -> set[int]:
    return set().union(*(finder(user=user) for finder in _kept_license_finders))
