"""Private file storage: certificates and other records that are only ever
served through a view that checks who is asking."""

from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """A file system storage with no public address: `url()` refuses, so no
    template or serializer can turn a private file into a link by mistake."""

    def url(self, name):
        raise ValueError(
            f"{name!r} is in private storage and has no public URL; serve it through a view."
        )
