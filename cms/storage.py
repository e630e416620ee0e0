"""Private file storage: certificates and other records that are only ever
served through a view that checks who is asking."""

import uuid

from django.core.files.storage import FileSystemStorage, storages

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
