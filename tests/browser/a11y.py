"""Accessibility assertions the journeys make beyond axe-core: what a keyboard or
screen-reader user meets on the page (skip link, visible focus, errors tied to
their fields, named progress bars, polite live regions)."""

from __future__ import annotations

import re

FOCUS_STYLE = """() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  return {
    tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute('name'),
    text: (e.innerText || e.value || '').trim().slice(0, 60),
    focusVisible: e.matches(':focus-visible'),
    outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth) || 0,
    boxShadow: s.boxShadow,
  };
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUS_STYLE)


def assert_focus_visible(page, what: str = "") -> dict:
    """The focused element shows a focus indicator: a real outline (at least 2px)
    or a box shadow, under :focus-visible (keyboard focus)."""
    state = focused(page)
    assert state["focusVisible"], f"{what}: focus is not keyboard-visible on {state}"
    has_outline = state["outlineStyle"] not in ("none", "") and state["outlineWidth"] >= 2
    has_shadow = state["boxShadow"] not in ("none", "")
    assert has_outline or has_shadow, f"{what}: no visible focus indicator on {state}"
    return state


def is_focused(locator) -> bool:
    return locator.evaluate("e => e === document.activeElement")


def tab_to(page, locator, *, limit: int = 80, shift: bool = False) -> int:
    """Press Tab (only the keyboard) until `locator` has the focus; the number of presses."""
    key = "Shift+Tab" if shift else "Tab"
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        if is_focused(locator):
            return presses
    raise AssertionError(f"{limit} presses of {key} never reached {locator}; at {focused(page)}")


def assert_skip_link(page) -> None:
    """The first Tab lands on a visible "Skip to main content" link; Enter moves the
    focus to the main landmark."""
    page.keyboard.press("Tab")
    state = assert_focus_visible(page, "skip link")
    assert state["text"] == "Skip to main content", f"first Tab stop is {state}"
    box = page.locator(".skip-link").bounding_box()
    viewport = page.viewport_size
    assert box and 0 <= box["x"] < viewport["width"] and 0 <= box["y"] < viewport["height"], (
        f"the focused skip link is off screen: {box}"
    )
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.tagName") == "MAIN"


def assert_error_tied(field, *, contains: str | None = None) -> str:
    """The field is marked invalid and describes itself with a visible error message."""
    assert field.get_attribute("aria-invalid") == "true", "the field is not aria-invalid"
    described = (field.get_attribute("aria-describedby") or "").split()
    assert described, "the field has no aria-describedby"
    page = field.page
    texts = []
    for ident in described:
        target = page.locator(f"[id='{ident}']")
        assert target.count() == 1, f"aria-describedby points to a missing id {ident!r}"
        if target.is_visible():
            texts.append(target.inner_text().strip())
    message = " ".join(t for t in texts if t)
    assert message, "aria-describedby points to no visible text"
    if contains:
        assert contains.lower() in message.lower(), f"{contains!r} not in {message!r}"
    return message


def description_of(field) -> str:
    """The text a screen reader reads after the field's name (its aria-describedby)."""
    page = field.page
    texts = []
    for ident in (field.get_attribute("aria-describedby") or "").split():
        target = page.locator(f"[id='{ident}']")
        if target.count() == 1:
            texts.append(" ".join(target.inner_text().split()))
    return " ".join(t for t in texts if t)


def assert_group_error_tied(group, *, contains: str | None = None) -> str:
    """A fieldset (radio or checkbox group) points to its visible error message."""
    described = (group.get_attribute("aria-describedby") or "").split()
    page = group.page
    texts = [
        page.locator(f"[id='{i}']").inner_text().strip()
        for i in described
        if page.locator(f"[id='{i}']").count() == 1
    ]
    message = " ".join(t for t in texts if t)
    assert message, f"the group {group} is tied to no error message"
    if contains:
        assert contains.lower() in message.lower(), f"{contains!r} not in {message!r}"
    return message


def assert_progress_bars_named(page, *, minimum: int = 1) -> list[dict]:
    """Every progress bar has an accessible name, a maximum, a value and a value text."""
    bars = page.evaluate(
        """() => [...document.querySelectorAll('progress, [role=progressbar]')].map(e => ({
            label: e.getAttribute('aria-label') || (e.getAttribute('aria-labelledby') || '')
                .split(' ').map(i => (document.getElementById(i) || {}).textContent || '').join(' ').trim(),
            max: e.max ?? e.getAttribute('aria-valuemax'),
            value: e.value ?? e.getAttribute('aria-valuenow'),
            valuetext: e.getAttribute('aria-valuetext'),
        }))"""
    )
    assert len(bars) >= minimum, f"expected at least {minimum} progress bar(s), found {bars}"
    for bar in bars:
        assert bar["label"], f"a progress bar has no accessible name: {bar}"
        assert bar["max"] not in (None, "") and bar["value"] not in (None, ""), bar
        assert bar["valuetext"] and re.search(r"\d+ of \d+", bar["valuetext"]), bar
    return bars


def assert_no_contrast_violation(violations: list[dict], where: str) -> None:
    """axe-core's color-contrast rule (WCAG 1.4.3, AA) found nothing on the page."""
    found = [v for v in violations if v["id"] == "color-contrast"]
    assert not found, f"colour contrast below AA on {where}: {found[0]['nodes']} element(s)"


POINTER_SPY = """
(() => {
  const count = () => sessionStorage.setItem('pointerEvents',
    String((parseInt(sessionStorage.getItem('pointerEvents') || '0', 10)) + 1));
  for (const type of ['pointerdown', 'mousedown', 'touchstart', 'mousemove']) {
    document.addEventListener(type, count, true);
  }
})();
"""


def pointer_events(page) -> int:
    """Pointer, mouse and touch events seen since `pointer_events_reset` (across pages)."""
    return int(page.evaluate("parseInt(sessionStorage.getItem('pointerEvents') || '0', 10)"))


def pointer_events_reset(page) -> None:
    page.evaluate("sessionStorage.setItem('pointerEvents', '0')")
