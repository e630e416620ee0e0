"""{% load tables %}: a table's caption and column headers, written once.

    <table class="listing">
      {% table_head "Request" "Clinician" "Sent" caption="Support requests" hide_with="w-sr-only" %}
      <tbody>…</tbody>
    </table>

renders `<caption class="w-sr-only">Support requests</caption>` and a `<thead>` of
`<th scope="col">` cells, one for each column named, in that order
(templates/components/table_head.html)."""

from django import template

register = template.Library()


@register.inclusion_tag("components/table_head.html")
def table_head(
    *columns: str, caption: str = "", hide_with: str = "", actions: bool = False
) -> dict:
    """The caption (none when it is empty) and the header row of `columns`.

    `hide_with` is the class that hides text from sight but not from screen
    readers ("visually-hidden" on the site, "w-sr-only" in Wagtail's admin):
    given, the caption is hidden with it, for a table whose heading already
    says what it holds. `actions` adds a last column for each row's buttons,
    headed "Actions" for screen readers only (hidden with `hide_with`)."""
    return {"caption": caption, "columns": columns, "hide_with": hide_with, "actions": actions}
