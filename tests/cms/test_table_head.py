"""{% table_head %} (cms/templatetags/tables.py): the caption and column headers
every table of the site and the admin is drawn with."""

from bs4 import BeautifulSoup
from django.template import Context, Template


def _table(tag: str, **context) -> BeautifulSoup:
    html = Template("{% load tables %}<table>" + tag + "</table>").render(Context(context))
    return BeautifulSoup(html, "html.parser").table


def test_columns_are_column_headers_in_the_order_named():
    table = _table(
        '{% table_head "Number" "Course" "State/province" caption="Every certificate" %}'
    )
    headers = table.thead.tr.find_all("th")
    assert [th.get_text() for th in headers] == ["Number", "Course", "State/province"]
    assert all(th["scope"] == "col" for th in headers)
    assert str(table.caption) == "<caption>Every certificate</caption>"


def test_a_hidden_caption_is_hidden_with_the_class_given():
    table = _table('{% table_head "Request" caption="Support requests" hide_with="w-sr-only" %}')
    assert str(table.caption) == '<caption class="w-sr-only">Support requests</caption>'


def test_without_a_caption_there_is_no_caption_element():
    assert _table('{% table_head "Job" "Status" %}').caption is None


def test_the_actions_column_is_headed_for_screen_readers_only():
    tag = '{% table_head "Profession" caption="Licenses" hide_with="visually-hidden" actions=actions %}'
    last = _table(tag, actions=True).thead.find_all("th")[-1]
    assert str(last) == '<th scope="col"><span class="visually-hidden">Actions</span></th>'
    without = _table(tag, actions=False).thead.find_all("th")
    assert [th.get_text() for th in without] == ["Profession"]


def test_a_caption_from_the_context_is_escaped():
    table = _table('{% table_head "Field" caption=title %}', title="<b>Rupture</b> & repair")
    assert table.caption.get_text() == "<b>Rupture</b> & repair"
    assert table.caption.b is None
