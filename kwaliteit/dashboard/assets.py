"""plotly.js from the installed plotly package, and its style sheet, served by the app itself.

No CDN and no internet: the browser loads /js/plotly-<version>.min.js from this app, with a long
cache lifetime (the version is in the URL, so an upgrade of plotly changes the URL).

The style sheet: at start-up plotly.js adds its rules to an inline <style> element, which a
Content-Security-Policy with style-src 'self' refuses. plotly.js skips that when the page already
has an element with id "plotly.js-style-global" and class "no-inline-styles"; the chart pages link
this style sheet under that id. Its rules are read from the same plotly.min.js (the object of
selectors and declarations that plotly.js would insert), so they always match the script served.

One more inline style: the bundled map library (maplibre) adds its own <style> when plotly.js
loads, unless an element with that style's id exists. No chart here is a map, so the chart pages
hold an empty <template> with each such id (`bundled_style_ids`) and the style is never added.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import plotly

PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
VERSION = plotly.__version__

# '"X,X div":'...'' pairs: a double-quoted selector and a single- or double-quoted declaration.
_RULE = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:\s*(?:\'((?:[^\'\\]|\\.)*)\'|"((?:[^"\\]|\\.)*)")')
_START = '{"X,X div":'
# if(!document.getElementById("<id>")){var e=document.createElement("style") ...
_BUNDLED_STYLE = re.compile(
    r'getElementById\("([^"]{1,100})"\)\)\{var \w+=document\.createElement\("style"\)'
)


@cache
def bundled_style_ids() -> tuple[str, ...]:
    """The ids under which parts bundled in plotly.js add a <style> element of their own."""
    return tuple(_BUNDLED_STYLE.findall(PLOTLY_JS.read_text(encoding="utf-8")))


@cache
def plotly_css() -> str:
    """plotly.js's global style rules as a style sheet (empty if they cannot be found)."""
    source = PLOTLY_JS.read_text(encoding="utf-8")
    start = source.find(_START)
    if start < 0:
        return ""
    end = source.find("}", source.find('"Y .notifier-close:hover"', start))
    rules = []
    for selector, single, double in _RULE.findall(source[start : end + 1]):
        # As plotly.js expands them: X is the plot, Y the notifier.
        selector = (
            re.sub(r"^,", " ,", selector)
            .replace("X", ".js-plotly-plot .plotly")
            .replace("Y", ".plotly-notifier")
        )
        rules.append(f"{selector}{{{single or double}}}")
    # plotly.js inserts every rule at the top of its sheet, so the last one defined comes first.
    return "\n".join(reversed(rules)) + "\n"
