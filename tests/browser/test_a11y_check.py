"""The axe check itself: it must fail a page with a serious violation, or it proves nothing."""
from __future__ import annotations

import pytest

from tests.browser.conftest import check_a11y

BROKEN = """<!doctype html><html lang="nl"><head><title>Kapot</title></head><body><main>
<h1>Kapot</h1><form><input type="text" name="naam"></form>
<p style="color:#bbb;background:#fff">Te weinig contrast</p></main></body></html>"""


def test_check_a11y_fails_on_serious_violations(page):
    page.set_content(BROKEN)
    with pytest.raises(pytest.fail.Exception) as failed:
        check_a11y(page)
    report = str(failed.value)
    assert "label (critical)" in report
    assert "color-contrast (serious)" in report
    assert "input[name=\"naam\"]" in report or "input" in report
