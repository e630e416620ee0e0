"""Everything a new site needs except people: see cms.bootstrap."""

from django.core.management.base import BaseCommand

from cms.bootstrap import site_bootstrap


class Command(BaseCommand):
    help = (
        "Create or complete what the site needs before anyone signs in: staff groups and "
        "their permissions, media collections, home and policy pages, provider settings "
        "placeholders, the catalog with its approval workflow and the staff page permissions. "
        "Creates no user. Safe to run again."
    )

    def handle(self, *args, **options):
        site_bootstrap()
        self.stdout.write(
            self.style.SUCCESS(
                "Site bootstrapped. Next: `manage.py createsuperuser`, then fill in "
                "Settings → Provider settings in /admin/."
            )
        )
