"""PostgreSQL refuses to delete a CE record inside the retention window.

One trigger function, `practicum_retention_guard`, fired BEFORE DELETE for each
row of every CE record table: it finds the row's date (a column of its own, or
of the parent row it belongs to) and refuses when that date is within the
window. The window is the connection's `practicum.record_retention_years`
(cms/settings/base.py sets it from RECORD_RETENTION_YEARS on every connection);
a connection without it (psql) gets 100 years, 0 turns the guard off for that
session or transaction (`SET LOCAL practicum.record_retention_years = 0`,
which only someone with SQL access can say). Every path meets it: the admin,
Django's cascades, queryset and instance deletes, raw SQL. TRUNCATE is not a
row delete (the tests' flush uses it). The audit log has its own trigger that
refuses every UPDATE and DELETE (audit 0001). See docs/records.md.
"""

from django.db import migrations

#: (table, date column, parent table, parent's date column): a row without a
#: date of its own is judged by its parent's (the column is then the parent's id).
GUARDED = [
    ("courses_enrollment", "enrolled_at", None, None),
    ("courses_lessonprogress", "first_viewed_at", None, None),
    ("courses_coursecompletion", "completed_at", None, None),
    ("quizzes_attempt", "started_at", None, None),
    ("quizzes_evaluation", "submitted_at", None, None),
    ("quizzes_evaluationrating", "evaluation_id", "quizzes_evaluation", "submitted_at"),
    ("quizzes_attestation", "attested_at", None, None),
    ("quizzes_attestation_accreditors", "attestation_id", "quizzes_attestation", "attested_at"),
    ("certificates_certificate", "issued_at", None, None),
    ("certificates_certificateevent", "created_at", None, None),
    ("reports_accreditorupload", "confirmed_at", None, None),
    ("reports_accreditoruploaditem", "upload_id", "reports_accreditorupload", "confirmed_at"),
    ("reports_pseudonymisedenrollment", "pseudonymised_at", None, None),
]

FUNCTION = r"""
CREATE OR REPLACE FUNCTION practicum_retention_guard() RETURNS trigger AS $$
DECLARE
    years integer := COALESCE(
        NULLIF(current_setting('practicum.record_retention_years', true), '')::integer, 100
    );
    kept_from timestamptz;
BEGIN
    IF years <= 0 THEN
        RETURN OLD;
    END IF;
    IF TG_NARGS > 1 THEN
        EXECUTE format('SELECT %I::timestamptz FROM %I WHERE id = $1', TG_ARGV[2], TG_ARGV[1])
            INTO kept_from USING (to_jsonb(OLD) ->> TG_ARGV[0])::bigint;
    ELSE
        kept_from := (to_jsonb(OLD) ->> TG_ARGV[0])::timestamptz;
    END IF;
    IF kept_from IS NULL OR kept_from > now() - make_interval(years => years) THEN
        RAISE EXCEPTION
            'Record retention: % row % is kept until % (RECORD_RETENTION_YEARS = %).',
            TG_TABLE_NAME, to_jsonb(OLD) ->> 'id',
            COALESCE((kept_from + make_interval(years => years))::date::text, 'its parent goes'),
            years
            USING ERRCODE = 'integrity_constraint_violation',
                  HINT = 'CE records are never deleted inside the retention window; '
                         'after it their personal data is removed (docs/records.md).';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
"""


def _trigger(table, column, parent, parent_column):
    args = ", ".join(f"'{a}'" for a in (column, parent, parent_column) if a)
    return (
        f"CREATE TRIGGER practicum_retention_guard BEFORE DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION practicum_retention_guard({args});"
    )


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for row in GUARDED:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS practicum_retention_guard ON {row[0]};")
        schema_editor.execute(_trigger(*row))


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for row in GUARDED:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS practicum_retention_guard ON {row[0]};")
    schema_editor.execute("DROP FUNCTION IF EXISTS practicum_retention_guard();")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_pseudonymised_enrollments"),
        ("courses", "0005_credit_approval_number"),
        ("quizzes", "0002_staff_permissions"),
        ("certificates", "0004_delivery_in_stages"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
