"""The instructor's home: "My courses" in the admin menu and on the dashboard
(courses.selectors.instructing reads everything)."""

from django.views.generic import TemplateView

from cms.admin_panels import DashboardPanel
from cms.admin_views import AdminPageMixin

from .selectors.instructing import course_home


class MyCoursesView(AdminPageMixin, TemplateView):
    """Every course the person authors; an Administrator may ask for all of them
    (`?all=1`)."""

    template_name = "courses/admin/my_courses.html"
    header_icon = "doc-full-inverse"

    def get_page_title(self):
        return "All courses" if self.everyone else "My courses"

    def get(self, request, *args, **kwargs):
        self.everyone = request.GET.get("all") == "1"
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["home"] = course_home(user=self.request.user, everyone=self.everyone)
        context["everyone"] = self.everyone
        return context


class MyCoursesPanel(DashboardPanel):
    """The dashboard's "My courses", for instructors: the same table, and the buttons
    (context: `home`)."""

    name = "my_courses"
    order = 60
    template_name = "courses/admin/my_courses_panel.html"
