from django import template

register = template.Library()


@register.simple_tag
def journal_text(entries: dict, prompt_id: str) -> str:
    return (entries or {}).get(prompt_id, "")
