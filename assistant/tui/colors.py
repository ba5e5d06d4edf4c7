"""Colours that stay readable whatever the theme: WCAG 2 contrast, and a style nudged toward black or
white until it reaches it."""

from __future__ import annotations

from rich.style import Style
from textual.color import Color

MIN_CONTRAST = 4.5
"""WCAG 2's contrast ratio for body text (level AA)."""


def luminance(color: Color) -> float:
    """WCAG 2 relative luminance of an opaque colour (0 black to 1 white)."""

    def channel(value: int) -> float:
        s = value / 255
        return s / 12.92 if s <= 0.03928 else float(((s + 0.055) / 1.055) ** 2.4)

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def contrast(a: Color, b: Color) -> float:
    """WCAG 2 contrast ratio of two opaque colours (1 to 21)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def readable(style: Style, background: Color, minimum: float = MIN_CONTRAST) -> Style:
    """``style`` with its colour moved toward black or white, just enough to reach ``minimum`` contrast
    on its own background colour (if it has one) or ``background``.

    Theme colours such as ``$text-accent`` reach only about 3:1 on the light themes' surfaces; this keeps
    each theme's hue and makes every accent readable, in any theme.
    """
    if style.color is None:
        return style
    back = Color.from_rich_color(style.bgcolor) if style.bgcolor is not None else background
    if back.a < 1:
        back = background.blend(back, back.a, alpha=1)
    fore = Color.from_rich_color(style.color)
    if contrast(fore, back) >= minimum:
        return style
    target = back.get_contrast_text(1.0)
    for step in range(1, 11):
        moved = fore.blend(target, step / 10, alpha=1)
        if contrast(moved, back) >= minimum:
            break
    return style + Style(color=moved.rich_color)
