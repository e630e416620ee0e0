"""Idempotent demo content. First `bootstrap` (groups, collections, site tree,
policy pages, catalog and its approval workflow), then the demo: the
provider's logo and signature (generated, only where none is set), accounts
for each role, accreditors, the demo instructor, example renewal requirements
(the demo clinician's license tracked) and the launch modules."""

import os

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.seed import demo_users_ensure
from cms.bootstrap import site_bootstrap
from cms.seed import provider_images_ensure
from courses import seed as course_seed
from quizzes.seed import post_test_load
from renewals import seed as renewal_seed


class Command(BaseCommand):
    help = "Create or complete the demo site (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--no-modules", action="store_true", help="Skip the launch modules.")

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD") or "practicum-demo"
        with transaction.atomic():
            catalog = site_bootstrap()
            provider_images_ensure()
            users = demo_users_ensure(password=password)
            accreditors = course_seed.accreditors_ensure()
            instructor = course_seed.demo_instructor_ensure(user=users["instructor@example.com"])
            # Example renewal requirements, and the demo clinician's license tracked.
            renewal_seed.demo_requirement_ensure(
                user=users["clinician@example.com"],
                templates=renewal_seed.templates_ensure(),
                today=timezone.localdate(),
            )
        if options["no_modules"]:
            return
        admin = users["admin@example.com"]
        for spec in course_seed.launch_module_specs():
            course = course_seed.launch_module_load(
                spec=spec,
                catalog=catalog,
                instructor=instructor,
                accreditors=accreditors,
                owner=admin,
            )
            # Before publishing: a course cannot publish without its post-test.
            post_test_load(spec=spec, course=course, owner=admin)
            course_seed.launch_course_publish(course=course.specific, user=admin)
            self.stdout.write(f"  course: {course.title} ({course.url})")
        self.stdout.write(self.style.SUCCESS("Demo content ready."))
