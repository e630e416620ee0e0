"""Private file storage: certificates and other records that are only ever
served through a view that checks who is asking; and the static files' storage."""

import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from whitenoise.storage import CompressedManifestStaticFilesStorage

#: The ending of a stored file's name, by its content type (for an upload, the one
#: its first bytes showed: cms.uploads accepts these three).
_ENDINGS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


class PrivateStorage(FileSystemStorage):
    """A file system storage with no public address: `url()` refuses, so no
    template or serializer can turn a private file into a link by mistake."""

    def url(self, name):
        raise ValueError(
            f"{name!r} is in private storage and has no public URL; serve it through a view."
        )


def private_storage():
    """STORAGES["private"], for a FileField's `storage` (a callable: the storage is
    looked up when used, so settings may change it after the models load)."""
    return storages["private"]


def random_file_name(folder: str, content_type: str) -> str:
    """A stored file's name that tells nothing (an upload's own name is kept in its
    row): `folder`, a random part and the ending of `content_type`."""
    return f"{folder}/{uuid.uuid4().hex}.{_ENDINGS.get(content_type, 'bin')}"


class StaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed, hashed static files, each file's address worked
    out once per process: the manifest is read when the storage is made and does
    not change while the process runs, and every page asks for the same four
    addresses (a look-up, a split and a join of the URL each time). Collecting
    the files works out its addresses with ``force`` (`_url`), never from here,
    and forgets the kept ones when it has made a new manifest."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._addresses: dict[str, str] = {}

    def url(self, name, force=False):
        if force or settings.DEBUG:
            return super().url(name, force)
        address = self._addresses.get(name)
        if address is None:
            address = self._addresses[name] = super().url(name)
        return address

    def post_process(self, *args, **kwargs):
        yield from super().post_process(*args, **kwargs)
        self._addresses.clear()
