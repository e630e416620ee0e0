"""Existing completions get their frozen participant facts (courses 0006) from
the best data at hand: the name and licenses their certificates printed (the
latest certificate's snapshot), else the account and its licenses as they are
now; the email from the account; the claimed accreditors from the attestation.
Completions that already hold facts are left alone."""

from django.db import migrations

from reports.migrations._professions import PROFESSION_LABELS as PROFESSIONS


def fill(apps, schema_editor):
    Completion = apps.get_model("courses", "CourseCompletion")
    Certificate = apps.get_model("certificates", "Certificate")
    License = apps.get_model("accounts", "ClinicianLicense")
    Attestation = apps.get_model("quizzes", "Attestation")
    for completion in Completion.objects.filter(participant={}).select_related(
        "enrollment__user"
    ).iterator(chunk_size=500):
        user = completion.enrollment.user
        certificate = (
            Certificate.objects.filter(enrollment_id=completion.enrollment_id)
            .order_by("-issued_at", "-pk")
            .first()
        )
        if certificate is not None:
            name = certificate.snapshot.get("participant_name") or certificate.participant_name
            licenses = [
                {
                    "profession": lic.get("profession", ""),
                    "number": lic.get("number", ""),
                    "region": lic.get("region", ""),
                }
                for lic in certificate.snapshot.get("licenses") or []
            ]
        else:
            name = user.full_name or user.email
            licenses = [
                {
                    "profession": PROFESSIONS.get(lic.profession, lic.profession),
                    "number": lic.license_number,
                    "region": lic.region,
                }
                for lic in License.objects.filter(user_id=user.pk).order_by(
                    "profession", "region", "license_number"
                )
            ]
        attestation = Attestation.objects.filter(enrollment_id=completion.enrollment_id).first()
        accreditors = (
            sorted(attestation.accreditors.values_list("short_name", flat=True))
            if attestation
            else []
        )
        completion.participant = {
            "name": name,
            "email": user.email,
            "licenses": licenses,
            "accreditors": accreditors,
        }
        completion.save(update_fields=["participant"])


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_audit_packets"),
        ("courses", "0006_completion_participant_facts"),
        ("certificates", "0005_clinician_notices"),
        ("quizzes", "0002_staff_permissions"),
        ("accounts", "0004_administrators_delete_users"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
