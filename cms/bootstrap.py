"""What a site needs before anyone signs in (`manage.py bootstrap`), and the
replay of our data migrations that it shares with the test suite.

The staff groups and their permissions, the media collections and the course
approval workflow are written by data migrations. `bootstrap` replays them
(they are idempotent) instead of keeping a second copy of the same rules, then
adds the content a site starts from: the home page and policy pages, the
provider settings with their placeholders, and the catalog with its approval
workflow and the staff page permissions. It creates no user.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython
from django.utils.translation import get_supported_language_variant
from wagtail.models import Collection, Locale, Page

from cms.seed import site_tree_ensure
from courses.seed import catalog_ensure

#: Apps whose data migrations are ours to replay.
OUR_APPS = ("accounts", "audit", "cms", "courses", "quizzes", "certificates", "renewals")


def data_migrations_replay() -> None:
    """Run our apps' data migrations again, in dependency order, on top of
    Wagtail's roots (locale, root collection, root page), which Wagtail's own
    migrations create: after a flush, or on a database whose rows someone removed.
    Each migration's code gets the models as they are now, as `migrate` would
    give the latest migration."""
    Locale.objects.get_or_create(
        language_code=get_supported_language_variant(settings.LANGUAGE_CODE)
    )
    if not Collection.objects.filter(depth=1).exists():
        Collection.add_root(name="Root")
    if not Page.objects.filter(depth=1).exists():
        Page.add_root(instance=Page(title="Root", slug="root"))

    loader = MigrationLoader(connection)
    leaves = [key for key in loader.graph.leaf_nodes() if key[0] in OUR_APPS]
    plan = []
    for leaf in leaves:
        plan.extend(key for key in loader.graph.forwards_plan(leaf) if key not in plan)
    apps = loader.project_state().apps
    # Handed to the migrations' code but never entered: they only write rows, and
    # SQLite refuses a schema editor inside a transaction (seed_demo holds one).
    editor = connection.schema_editor(atomic=False)
    with transaction.atomic():
        for key in plan:
            if key[0] not in OUR_APPS:
                continue
            for operation in loader.graph.nodes[key].operations:
                if isinstance(operation, RunPython):
                    operation.code(apps, editor)


def site_bootstrap():
    """Idempotent: running it again changes nothing. Returns the catalog page."""
    site_url = urlsplit(settings.SITE_URL)
    with transaction.atomic():
        data_migrations_replay()
        home = site_tree_ensure(
            hostname=site_url.hostname or "localhost",
            port=site_url.port or (443 if site_url.scheme == "https" else 80),
        )
        return catalog_ensure(home=home)
