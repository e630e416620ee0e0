"""Make the Ed25519 key that signs certificates' Open Badges, or rotate it."""

from django.core.management.base import BaseCommand, CommandError

from certificates.credentials import keys


class Command(BaseCommand):
    help = (
        "Make the signing key of certificates' Open Badges in CREDENTIAL_SIGNING_KEY_DIR. "
        "With --rotate, make a new current key; the old ones keep only their public half "
        "(verification only), so every credential they signed still verifies."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--rotate", action="store_true", help="Replace the current key with a new one."
        )
        group.add_argument(
            "--if-missing",
            action="store_true",
            help="Do nothing (and succeed) when a key is already there.",
        )

    def handle(self, *args, rotate=False, if_missing=False, **options):
        directory = keys.key_dir()
        try:
            key = keys.key_generate(directory, rotate=rotate)
        except keys.KeyStoreError as error:
            if if_missing:
                current = keys.key_set_load().signing
                self.stdout.write(f"A signing key is already there: {current.key_id}.")
                return
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{'New current' if rotate else 'Signing'} key {key.key_id} in {directory} "
                f"(public key {key.public_multibase}). Back up this directory: without it, "
                "no new credential can be signed."
            )
        )
        if rotate:
            self.stdout.write(
                "Older keys now keep only their public half; they stay in "
                "/.well-known/did.json so the credentials they signed still verify."
            )
