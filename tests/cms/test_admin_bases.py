"""The admin's base classes name the subclass that forgot its one method, instead
of failing with a bare NotImplementedError."""

import pytest

from cms.admin_panels import EditorPanel
from cms.admin_views import PermittedOnly


def test_an_editor_panel_without_panel_context_names_itself():
    class CreditSummaryPanel(EditorPanel):
        template_name = "courses/admin/credit_check_panel.html"

    with pytest.raises(NotImplementedError, match="CreditSummaryPanel must say what its panel"):
        CreditSummaryPanel().panel_context(instance=None, form=None)


def test_a_permitted_view_without_permits_names_itself():
    class RosterView(PermittedOnly):
        forbidden_template = "403.html"

    with pytest.raises(NotImplementedError, match="RosterView must say who may see it"):
        RosterView().permits(user=None)
