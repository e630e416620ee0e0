"""Files in private storage have no public address."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages


def test_private_storage_refuses_to_make_a_url(settings):
    storage = storages["private"]
    name = storage.save("probe/secret.txt", ContentFile(b"private"))
    try:
        with pytest.raises(ValueError, match="no public URL"):
            storage.url(name)
        assert storage.open(name).read() == b"private"
        assert str(settings.PRIVATE_MEDIA_ROOT) != str(settings.MEDIA_ROOT)
    finally:
        storage.delete(name)
