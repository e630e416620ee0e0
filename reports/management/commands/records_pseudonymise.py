"""`manage.py records_pseudonymise [--dry-run]`: remove the personal data of
records past RECORD_RETENTION_YEARS now (the weekly task does the same), or
list what would go."""

from django.core.management.base import BaseCommand

from reports.retention import records_past_retention_list, records_pseudonymise


class Command(BaseCommand):
    help = "Pseudonymise CE records past the retention window (--dry-run lists them)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would go; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            lines = records_past_retention_list()
            for line in lines:
                self.stdout.write(str(line))
            self.stdout.write(f"{len(lines)} enrollment(s) past retention; nothing changed.")
            return
        summary = records_pseudonymise()
        self.stdout.write(
            f"{summary['enrollments']} enrollment(s) pseudonymised "
            f"({summary['certificates']} certificate(s), "
            f"{summary['closed_accounts']} closed account(s))."
        )
