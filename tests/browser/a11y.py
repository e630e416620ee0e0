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


UNLABELLED_FIELDS = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(e => !['hidden', 'submit', 'button', 'reset'].includes(e.type))
  .filter(e => e.getClientRects().length > 0)
  .filter(e => !(e.labels && [...e.labels].some(l => l.innerText.trim()))
               && !(e.getAttribute('aria-label') || '').trim()
               && !(e.getAttribute('aria-labelledby') || '').split(' ')
                    .some(i => i && document.getElementById(i)
                               && document.getElementById(i).innerText.trim()))
  .map(e => e.outerHTML.slice(0, 120))"""


def assert_fields_labelled(page) -> None:
    """Every visible form field has a label (or an ARIA name) with text."""
    unlabelled = page.evaluate(UNLABELLED_FIELDS)
    assert not unlabelled, f"fields without a label on {page.url}: {unlabelled}"


CONTRAST = """(e) => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const style = getComputedStyle(e);
  let bg = null;
  for (let n = e; n; n = n.parentElement) {
    const c = rgb(getComputedStyle(n).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.99)) { bg = c.slice(0, 3); break; }
  }
  bg = bg || [255, 255, 255];
  const fg = rgb(style.color).slice(0, 3);
  const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
  const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
  return {ratio: (hi + 0.05) / (lo + 0.05), large: size >= 24 || (bold && size >= 18.66),
          color: style.color, background: 'rgb(' + bg.join(', ') + ')',
          text: e.innerText.trim().slice(0, 40)};
}"""


def assert_contrast(locator, *, what: str) -> float:
    """WCAG 1.4.3 (AA): 4.5:1 for text, 3:1 for large text, computed from the styles
    the browser applied (the element's colour on its nearest opaque background)."""
    result = locator.evaluate(CONTRAST)
    minimum = 3.0 if result["large"] else 4.5
    assert result["ratio"] >= minimum, (
        f"{what}: contrast {result['ratio']:.2f} < {minimum}: {result}"
    )
    return result["ratio"]


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


def assert_no_horizontal_scroll(page) -> None:
    """WCAG 1.4.10 (reflow): at a phone's width the page does not scroll sideways
    (wide tables scroll inside their own box, which is allowed)."""
    sizes = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth,"
        " client: document.documentElement.clientWidth})"
    )
    assert sizes["scroll"] <= sizes["client"] + 1, f"sideways scrolling on {page.url}: {sizes}"
