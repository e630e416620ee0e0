"""A deleted upload or packet takes its file with it, however it was deleted (the
clinician's remove button, a newer packet, the account's deletion cascading):
the file goes once the deletion commits, and stays if it rolls back."""

from django.db import transaction
from django.db.models.signals import post_delete

from .models import OutsideCertificate, RenewalPacket


def stored_file_delete(sender, instance, **kwargs) -> None:
    field = instance.file if isinstance(instance, OutsideCertificate) else instance.pdf
    if field and field.name:
        name, storage = field.name, field.storage
        transaction.on_commit(lambda: storage.delete(name))


def connect() -> None:
    for model in (OutsideCertificate, RenewalPacket):
        post_delete.connect(
            stored_file_delete, sender=model, dispatch_uid=f"renewals.file_delete.{model.__name__}"
        )
