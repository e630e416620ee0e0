"""Refuse query strings carrying a null character, before any view sees them.

PostgreSQL cannot store or compare text containing U+0000, so a ``%00`` in a
filter or search parameter would otherwise end as a database error (500)
wherever a view passes the raw value to a query. Form fields refuse it on
their own (Django's ProhibitNullCharactersValidator); request bodies are
left to the forms and views that read them.
"""

from django.template.response import TemplateResponse


class NullCharacterQueryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            response = TemplateResponse(
                request,
                "refused.html",
                {
                    "title": "That address is not valid",
                    "message": "The address contains a null character (%00), which no "
                    "search or filter accepts. Remove it and try again.",
                },
                status=400,
            )
            return response.render()
        return self.get_response(request)
