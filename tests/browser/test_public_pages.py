"""The public pages a visitor reaches first, in real Chromium, checked by axe-core."""


def test_home_catalog_and_a_course_page_render_and_pass_axe(journey):
    visitor = journey("visitor")
    visitor.goto("/", check="home")
    visitor.page.get_by_role("link", name="Courses", exact=True).first.click()
    visitor.check("catalog")
    assert visitor.page.get_by_role("heading", level=1).inner_text().strip()
    courses = visitor.page.locator("main a[href^='/courses/'][href$='/']")
    assert courses.count() >= 3, "the three launch modules are listed"
    courses.first.click()
    visitor.check("course page")
    assert "approved by" in visitor.page.content()
    assert visitor.console_errors == []


def test_login_and_signup_pages_pass_axe(journey):
    visitor = journey("visitor")
    visitor.goto("/accounts/login/", check="login")
    visitor.goto("/accounts/signup/", check="signup")
    visitor.goto("/verify/", check="verify form")


def test_error_pages_wear_the_site_layout_and_pass_axe(journey):
    visitor = journey("visitor")
    response = visitor.page.goto(visitor.url("/no-such-page/"))
    assert response.status == 404
    assert visitor.page.get_by_role("link", name="Skip to main content").count() == 1
    visitor.check("page not found")
    response = visitor.page.goto(visitor.url("/verify/PRC-2026-0000-0000/"))
    assert response.status == 404
    visitor.check("certificate not found")
