"""Every URL of the project with the input it reads, for tests/reliability/test_fuzz.py.

A URL whose view lives in the project's code and appears here neither as a target
nor in NOT_FUZZED fails test_every_url_of_the_project_has_a_fuzz_target: a new
endpoint needs a line in TABLE.

TABLE: one target a line, columns apart by two spaces or more: the resolver's route
(``page:...`` for more Wagtail pages; the site's page route is the catalog's line), who asks (anonymous, clinician, admin), the method
(get: the generated pairs go in the query string; post: in the body), the URL
({name} is the world's attribute, see test_fuzz.World), the field names the view reads,
and ``multipart`` where files are sent too. 999999 is an id that does not exist.
"""

from __future__ import annotations

import re

from .fuzz import Target

TABLE = r"""
# Public
healthz                                       anonymous  get   /healthz
admin/login/                                  anonymous  get   /admin/login/                                         next
verify/                                       anonymous  get   /verify/                                              number
verify/<str:number>/                          anonymous  get   /verify/{certificate_number}/
verify/<str:number>/credential/               anonymous  get   /verify/{certificate_number}/credential/              format
.well-known/did.json                          anonymous  get   /.well-known/did.json
credentials/status/<id:list_number>/          anonymous  get   /credentials/status/1/
renewals/calendar/<str:token>.ics             anonymous  get   /renewals/calendar/not-a-token.ics
renewals/unsubscribe/<str:token>/             anonymous  post  /renewals/unsubscribe/not-a-token/
renewals/resubscribe/<str:token>/             anonymous  post  /renewals/resubscribe/not-a-token/
accounts/signup/                              anonymous  post  /accounts/signup/                                     email,password1,password2,full_name
^((?:[\w\-]+/)*)$                                    anonymous  get   /courses/                                             profession,topic,q,hours,page,category,accreditor,level,format
page:course                                   clinician  get   {course_url}                                          page
page:lesson                                   clinician  get   {lesson_url}
page:post-test                                clinician  get   {post_test_url}
# A clinician: profile, learning, post-test, evaluation, certificates
profile/                                      clinician  post  /profile/                                             full_name
profile/licenses/add/                         clinician  post  /profile/licenses/add/                                profession,license_number,region,expires_on
profile/licenses/<id:license_id>/remove/      clinician  post  /profile/licenses/{other_license_pk}/remove/
profile/licenses/<id:license_id>/edit/        clinician  post  /profile/licenses/{license_pk}/edit/                  profession,license_number,region,expires_on
profile/licenses/welcome/                     clinician  post  /profile/licenses/welcome/                            profession,license_number,region,expires_on,add_another
profile/delete/                               clinician  post  /profile/delete/                                      password,confirm
dashboard/                                    clinician  get   /dashboard/
learn/enroll/                                 clinician  post  /learn/enroll/                                        course
learn/unenroll/                               clinician  post  /learn/unenroll/                                      course
learn/complete/                               clinician  post  /learn/complete/                                      lesson
learn/heartbeat/                              clinician  post  /learn/heartbeat/                                     lesson,seconds
learn/journal/                                clinician  post  /learn/journal/                                       lesson,prompt,text
learn/post-test/start/                        clinician  post  /learn/post-test/start/                               post_test
learn/attempts/<id:attempt_id>/               clinician  get   /learn/attempts/{attempt_pk}/
learn/attempts/<id:attempt_id>/answer/        clinician  post  /learn/attempts/{open_attempt_pk}/answer/             question,choice
learn/attempts/<id:attempt_id>/submit/        clinician  post  /learn/attempts/{open_attempt_pk}/submit/             q-x,time_up
learn/courses/<id:course_id>/evaluation/      clinician  post  /learn/courses/{course_pk}/evaluation/                relevance,content_quality,hours_accurate,bias_noticed,bias_details,comments,claim,attest
certificates/<str:number>/pdf/                clinician  get   /certificates/{certificate_number}/pdf/
certificates/<str:number>/badge/              clinician  get   /certificates/{certificate_number}/badge/
certificates/status/<id:enrollment_id>/       clinician  get   /certificates/status/{enrollment_pk}/
transcript/                                   clinician  get   /transcript/                                          start,end
transcript/pdf/                               clinician  get   /transcript/pdf/                                      start,end
# A clinician: renewals and support
renewals/                                     clinician  get   /renewals/
renewals/licenses/<id:license_id>/            clinician  post  /renewals/licenses/{license_pk}/                      template,cycle_start,deadline,cycle_months,accepted_accreditors,total,ethics,home_study_max
renewals/licenses/<id:license_id>/untrack/    clinician  post  /renewals/licenses/{other_license_pk}/untrack/
renewals/licenses/<id:license_id>/reminders/  clinician  post  /renewals/licenses/{license_pk}/reminders/            enabled
renewals/licenses/<id:license_id>/packet/     clinician  post  /renewals/licenses/{other_license_pk}/packet/
renewals/packets/<id:packet_id>/status/       clinician  get   /renewals/packets/999999/status/
renewals/packets/<id:packet_id>/pdf/          clinician  get   /renewals/packets/999999/pdf/
renewals/uploads/                             clinician  post  /renewals/uploads/                                    file,title,provider,accreditor,category,hours,completed_on,home_study,certificate_number     multipart
renewals/uploads/<id:upload_id>/              clinician  get   /renewals/uploads/{upload_pk}/
renewals/uploads/<id:upload_id>/delete/       clinician  post  /renewals/uploads/999999/delete/
renewals/calendar/reset/                      clinician  get   /renewals/calendar/reset/
renewals/records/                             clinician  get   /renewals/records/                                    start,end
renewals/records/transcript.csv               clinician  get   /renewals/records/transcript.csv                      start,end
renewals/records/transcript.xlsx              clinician  get   /renewals/records/transcript.xlsx                     start,end
renewals/records/certificates.zip             clinician  get   /renewals/records/certificates.zip
renewals/records/my-data.json                 clinician  get   /renewals/records/my-data.json
support/                                      clinician  get   /support/
support/new/                                  clinician  post  /support/new/                                         kind,course,details,outcome_sought,attachments                                               multipart
support/attachments/<id:attachment_id>/       clinician  get   /support/attachments/999999/
# An Administrator: listings and filters
admin/certificates/                           admin      get   /admin/certificates/                                  q,course,accreditor,status,delivery,issued_after,issued_before,p,ordering
admin/certificates/results/                   admin      get   /admin/certificates/results/                          q,course,status,p,ordering
admin/certificates/inspect/<id:pk>/           admin      get   /admin/certificates/inspect/{certificate_pk}/
admin/certificates/export/                    admin      get   /admin/certificates/export/                           q,course,status
admin/certificates/export/xlsx/               admin      get   /admin/certificates/export/xlsx/                      q,course,status
admin/certificates/bulk/                      admin      get   /admin/certificates/bulk/                             p
admin/certificates/bulk/<id:pk>/              admin      get   /admin/certificates/bulk/999999/
admin/certificates/bulk/<id:pk>/status/       admin      get   /admin/certificates/bulk/999999/status/
admin/audit-log/                              admin      get   /admin/audit-log/                                     q,action,actor,p,export,ordering
admin/audit-log/results/                      admin      get   /admin/audit-log/results/                             q,action,p
admin/audit-log/inspect/<id:pk>/              admin      get   /admin/audit-log/inspect/999999/
admin/audit-reports/                          admin      get   /admin/audit-reports/
admin/audit-reports/roster/                   admin      get   /admin/audit-reports/roster/                          start,end,course,accreditor,basis,within_days,reported,p,q
admin/audit-reports/roster/csv/               admin      get   /admin/audit-reports/roster/csv/                      start,end,course,accreditor,basis,within_days,reported,p,q
admin/audit-reports/roster/xlsx/              admin      get   /admin/audit-reports/roster/xlsx/                     start,end,course,accreditor,basis,within_days,reported,p,q
admin/audit-reports/accreditor/               admin      get   /admin/audit-reports/accreditor/                      start,end,course,accreditor,basis,within_days,reported,p,q
admin/audit-reports/accreditor/csv/           admin      get   /admin/audit-reports/accreditor/csv/                  start,end,course,accreditor,basis,within_days,reported,p,q
admin/audit-reports/accreditor/xlsx/          admin      get   /admin/audit-reports/accreditor/xlsx/                 start,end,course,accreditor,basis,within_days,reported,p,q
admin/audit-reports/evidence/                 admin      get   /admin/audit-reports/evidence/                        start,end,course,accreditor,basis,within_days,reported,p,q
admin/audit-reports/courses/  admin  get  /admin/audit-reports/courses/  p,q
admin/audit-reports/courses/<id:course_id>/  admin  get  /admin/audit-reports/courses/{course_pk}/  start,end
admin/audit-reports/courses/<id:course_id>/items/csv/  admin  get  /admin/audit-reports/courses/{course_pk}/items/csv/  start,end
admin/audit-reports/courses/<id:course_id>/items/xlsx/  admin  get  /admin/audit-reports/courses/{course_pk}/items/xlsx/  start,end
admin/audit-reports/packets/<id:packet_id>/  admin  get  /admin/audit-reports/packets/999999/
admin/audit-reports/packets/<id:packet_id>/download/  admin  get  /admin/audit-reports/packets/999999/download/
admin/evaluations/                            admin      get   /admin/evaluations/                                   p,q
admin/my-courses/                             admin      get   /admin/my-courses/                                    all
admin/course-preview/<id:course_id>/          admin      get   /admin/course-preview/{course_pk}/
admin/course-preview/<id:course_id>/<id:page_id>/  admin  get  /admin/course-preview/{course_pk}/{lesson_pk}/
admin/evaluations/<id:course_id>/             admin      get   /admin/evaluations/{course_pk}/
admin/evaluations/<id:course_id>/csv/         admin      get   /admin/evaluations/{course_pk}/csv/
admin/evaluations/<id:course_id>/xlsx/        admin      get   /admin/evaluations/{course_pk}/xlsx/
admin/support/                                admin      get   /admin/support/                                       status,overdue,p,q
admin/support/overrides/                      admin      get   /admin/support/overrides/                             p,q
admin/support/overrides/new/                  admin      get   /admin/support/overrides/new/                         request
admin/two-factor/                             admin      get   /admin/two-factor/                                    p,q
admin/images/<int:image_id>/                  admin      get   /admin/images/999999/
admin/documents/edit/<int:document_id>/       admin      get   /admin/documents/edit/999999/
# An Administrator: actions
admin/certificates/issue/                     admin      post  /admin/certificates/issue/                            email,course,accreditor,completed_on,reason
admin/certificates/<id:pk>/release/           admin      post  /admin/certificates/{certificate_pk}/release/         reason
admin/certificates/<id:pk>/reissue/           admin      post  /admin/certificates/{certificate_pk}/reissue/         reason,full_name
admin/certificates/<id:pk>/revoke/            admin      post  /admin/certificates/{certificate_pk}/revoke/          reason
admin/certificates/<id:pk>/restore/           admin      post  /admin/certificates/{certificate_pk}/restore/         reason
admin/certificates/<id:pk>/retry-delivery/    admin      post  /admin/certificates/{certificate_pk}/retry-delivery/  reason
admin/certificates/bulk/reissue/              admin      post  /admin/certificates/bulk/reissue/                     course,accreditor,reason,confirm
admin/audit-reports/accreditor/confirm/       admin      post  /admin/audit-reports/accreditor/confirm/              start,end,course,accreditor,basis,within_days,reported,p,q,reference,issued_before
admin/course-review/<id:course_id>/  admin  post  /admin/course-review/{course_pk}/  decision,comment
admin/course-duplicate/<id:course_id>/  admin  post  /admin/course-duplicate/{course_pk}/  title
admin/post-tests/<id:post_test_id>/import/  admin  post  /admin/post-tests/{post_test_pk}/import/  file_format,upload,text,default_objective,base_revision,action  multipart
admin/audit-reports/courses/<id:course_id>/packet/  admin  post  /admin/audit-reports/courses/{course_pk}/packet/  start,end
admin/support/<id:request_id>/                admin      post  /admin/support/999999/                                status,assignee,notes,answer
admin/support/overrides/new/                  admin      post  /admin/support/overrides/new/?request=999999          email,course,extra_attempts,time_limit_minutes,no_time_limit,waive_wait,minimum_active_minutes,reason,expires_on
admin/support/overrides/new/                  admin      post  /admin/support/overrides/new/                         email,course,extra_attempts,time_limit_minutes,no_time_limit,waive_wait,minimum_active_minutes,reason,expires_on
admin/support/overrides/<id:override_id>/end/  admin     post  /admin/support/overrides/999999/end/                  reason
admin/two-factor/<id:pk>/reset/               admin      post  /admin/two-factor/{clinician_pk}/reset/               reason
admin/people/<id:pk>/deactivate/              admin      post  /admin/people/{clinician_pk}/deactivate/              reason
admin/images/<int:image_id>/delete/           admin      post  /admin/images/999999/delete/
admin/documents/delete/<int:document_id>/     admin      post  /admin/documents/delete/999999/
"""


def _targets() -> list[Target]:
    targets = []
    for line in TABLE.strip().splitlines():
        if line.startswith("#"):
            continue
        route, who, method, url, *rest = re.split(r"\s{2,}", line.strip())
        fields = rest[0].split(",") if rest else []
        multipart = len(rest) > 1 and rest[1] == "multipart"
        targets.append(Target(route, who, method, url, fields, multipart=multipart))
    return targets


TARGETS = _targets()

# URLs of the project's own views left out, each with the reason.
NOT_FUZZED = {
    r"^((?:[\w\-]+/)*)$": "Wagtail's page view (cms.routing: routed from the cache); each page type is fuzzed by its own page: targets",
    "admin/logout/": "signs the fuzzing admin out: every target after it would see the sign-in page, not its own view",
}
