"""cms.storage.StaticStorage: WhiteNoise's hashed static files, each address
worked out once per process, and worked out again after the files are collected."""

import pytest

from cms.storage import StaticStorage


def _collect(storage: StaticStorage, name: str) -> None:
    list(storage.post_process({name: (storage, name)}, dry_run=False))


@pytest.fixture
def storage(tmp_path):
    storage = StaticStorage(location=tmp_path, base_url="/static/")
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "site.css").write_text("body { color: black }")
    _collect(storage, "css/site.css")
    return storage


def test_an_address_is_the_hashed_file_and_is_looked_up_once(storage, monkeypatch):
    first = storage.url("css/site.css")
    assert first.startswith("/static/css/site.") and first.endswith(".css")
    assert first != "/static/css/site.css"
    looked_up = []
    monkeypatch.setattr(storage, "stored_name", lambda name: looked_up.append(name) or "stale")

    assert storage.url("css/site.css") == first
    assert looked_up == []


def test_collecting_again_gives_the_new_files_address(storage, tmp_path):
    before = storage.url("css/site.css")
    (tmp_path / "css" / "site.css").write_text("body { color: navy }")
    _collect(storage, "css/site.css")

    after = storage.url("css/site.css")

    assert after != before and after.startswith("/static/css/site.")


def test_a_file_not_collected_is_refused_every_time(storage):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("js/never-collected.js")
