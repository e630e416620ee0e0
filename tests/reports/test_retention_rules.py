"""The retention rules as plain facts (reports.retention_rules): no database.
`test_retention.py` proves the weekly run applies them to real records; here the window's
end and what counts as personal data are stated (`make mutation` runs mutmut on them)."""

from datetime import UTC, datetime

from reports.retention_rules import (
    account_erased,
    participant_scrub,
    pseudonym,
    retention_cutoff,
    snapshot_scrub,
)


def test_the_window_ends_the_same_instant_years_before():
    now = datetime(2033, 3, 15, 10, 30, 5, 7, tzinfo=UTC)
    assert retention_cutoff(now=now, years=7) == datetime(2026, 3, 15, 10, 30, 5, 7, tzinfo=UTC)
    assert retention_cutoff(now=now, years=0) == now


def test_29_february_counts_back_to_28_february():
    leap = datetime(2032, 2, 29, 12, 0, tzinfo=UTC)
    assert retention_cutoff(now=leap, years=7) == datetime(2025, 2, 28, 12, 0, tzinfo=UTC)
    # Back to another leap year, the day stays.
    assert retention_cutoff(now=leap, years=4) == datetime(2028, 2, 29, 12, 0, tzinfo=UTC)


def test_the_window_is_the_settings_years_from_now_by_default(settings):
    settings.RECORD_RETENTION_YEARS = 3
    now = datetime(2030, 1, 2, tzinfo=UTC)
    assert retention_cutoff(now=now) == datetime(2027, 1, 2, tzinfo=UTC)
    before = datetime.now(UTC)
    cutoff = retention_cutoff()
    after = datetime.now(UTC)
    assert before.replace(year=before.year - 3) <= cutoff <= after.replace(year=after.year - 3)


def test_the_pseudonym_names_the_person_by_number_only():
    assert pseudonym(user_id=42) == "Former participant 42"


CERTIFICATE_SNAPSHOT = {
    "participant_name": "Ana Rivera",
    "name_as_certified": "Ana M. Rivera, LCSW",
    "email": "ana@example.com",
    "license_number": "LCSW 123",
    "licenses": [{"profession": "Social worker", "number": "LCSW 123", "region": "CA"}, "odd"],
    "course_title": "Ethics in telehealth",
    "hours": "1.00",
    "score": 90,
}


def test_a_snapshot_loses_the_names_email_and_license_numbers_and_keeps_the_rest():
    scrubbed = snapshot_scrub(CERTIFICATE_SNAPSHOT, pseudonym="Former participant 42")
    assert scrubbed == {
        "participant_name": "Former participant 42",
        "name_as_certified": "Former participant 42",
        "email": "",
        "license_number": "",
        "licenses": [{"profession": "Social worker", "number": "", "region": "CA"}, ""],
        "course_title": "Ethics in telehealth",
        "hours": "1.00",
        "score": 90,
        "pseudonymised": True,
    }
    assert CERTIFICATE_SNAPSHOT["participant_name"] == "Ana Rivera", "the original is untouched"
    assert CERTIFICATE_SNAPSHOT["licenses"][0]["number"] == "LCSW 123"


def test_keys_a_snapshot_does_not_have_are_not_added():
    assert snapshot_scrub({"hours": "1.00", "licenses": "n/a"}, pseudonym="P") == {
        "hours": "1.00",
        "licenses": "n/a",
        "pseudonymised": True,
    }
    assert snapshot_scrub(None, pseudonym="P") == {"pseudonymised": True}


def test_a_completions_participant_loses_its_name_too():
    participant = {
        "name": "Ana Rivera",
        "email": "ana@example.com",
        "licenses": [{"profession": "Social worker", "number": "LCSW 123", "region": "CA"}],
        "accreditors": ["APA"],
    }
    assert participant_scrub(participant, pseudonym="Former participant 42") == {
        "name": "Former participant 42",
        "email": "",
        "licenses": [{"profession": "Social worker", "number": "", "region": "CA"}],
        "accreditors": ["APA"],
        "pseudonymised": True,
    }
    assert participant_scrub({}, pseudonym="P") == {"pseudonymised": True}
    # Whatever personal key a snapshot may hold, a participant's loses it too.
    assert participant_scrub({"name_as_certified": "Ana M. Rivera"}, pseudonym="P") == {
        "name_as_certified": "P",
        "pseudonymised": True,
    }


def test_only_the_address_a_closed_account_is_left_with_counts_as_erased():
    assert account_erased("deleted-42@deleted.invalid")
    for email in (
        "deleted-@deleted.invalid",
        "deleted-4x@deleted.invalid",
        "xdeleted-42@deleted.invalid",
        "deleted-42@deleted.invalidx",
        "deleted-42@deletedXinvalid",
        "ana@example.com",
        "",
    ):
        assert not account_erased(email), email
