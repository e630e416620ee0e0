# The two 0004 migrations (delivery retry, records pseudonymise) each added an
# action; this one joins them and sets the full list of choices.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_certificate_delivery_retry"),
        ("audit", "0004_records_pseudonymise_action"),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('certificate.issue', 'Certificate issued'), ('certificate.hold', 'Certificate held'), ('certificate.issue_manual', 'Certificate issued manually'), ('certificate.release', 'Held certificate issued anyway'), ('certificate.reissue', 'Certificate reissued'), ('certificate.revoke', 'Certificate revoked'), ('certificate.restore', 'Certificate restored'), ('certificate.delivery_retry', 'Certificate delivery retried'), ('bulk_job.create', 'Bulk job started'), ('accreditor.create', 'Accreditor added'), ('accreditor.edit', 'Accreditor changed'), ('accreditor.delete', 'Accreditor deleted'), ('course.credit_edit', 'Course credit changed'), ('course.submit', 'Course sent for approval'), ('course.approve', 'Course approved'), ('course.reject', 'Course changes requested'), ('group.create', 'Group added'), ('group.edit', 'Group or its permissions changed'), ('group.delete', 'Group deleted'), ('user.roles_edit', "Person's groups or status changed"), ('user.deactivate', 'Account deactivated'), ('user.delete', 'Account deleted'), ('user.mfa_reset', 'Two-factor authentication reset'), ('export', 'Personal data exported'), ('report.mark_reported', 'Upload to the accreditor confirmed'), ('records.pseudonymise', 'Records past retention pseudonymised'), ('audit_packet.build', 'Audit packet built'), ('audit_packet.download', 'Audit packet downloaded'), ('request.status_change', 'Request status changed'), ('request.create', 'Support request sent'), ('request.edit', 'Support request assigned, noted or answered')], max_length=64),
        ),
    ]
