"""The headless-Chromium harness in tests/browser.py, checked on tiny pages."""

from __future__ import annotations

import pytest

from tests.browser import BrowserError, BrowserTimeout, inspect_page

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def page(tmp_path, name: str, body: str, title: str = "t"):
    path = tmp_path / name
    path.write_text(f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
                    f"</head><body>{body}</body></html>", encoding="utf-8")
    return path


def test_clean_page_loads_only_itself(chromium, tmp_path):
    # A space and Cyrillic in the name: the file:// URL must still match.
    path = page(tmp_path, "чистый report.html", "<h1>Hello</h1><p>text</p>", title="Clean")
    shot = tmp_path / "shot.png"
    report = inspect_page(path, screenshot=shot, executable=chromium,
                          js_checks={"h1s": "document.querySelectorAll('h1').length",
                                     "text": "document.body.innerText"})
    assert report.requests == [path.as_uri()] == [report.url]
    assert report.failed == [] and report.external == []
    assert report.errors == [] and report.console == [] and report.dialogs == []
    assert report.checks == {"h1s": 1, "text": "Hello\n\ntext"}
    assert report.title == "Clean"
    assert report.screenshot == shot
    data = shot.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 100


def test_external_request_is_recorded_and_fails(chromium, tmp_path):
    url = "https://example.com/x.png"
    report = inspect_page(page(tmp_path, "ext.html", f'<img src="{url}">'), executable=chromium)
    assert report.external == [url]
    assert [f["url"] for f in report.failed] == [url]
    assert report.failed[0]["error"].startswith("net::ERR_")
    # Chromium also logs the failure to the console, so `errors` catches it too.
    assert any("Failed to load resource" in e for e in report.errors)


def test_console_error_and_exception_are_errors(chromium, tmp_path):
    script = "<script>console.error('boom'); throw new Error('kaboom');</script>"
    report = inspect_page(page(tmp_path, "err.html", script), executable=chromium)
    assert "console: boom" in report.errors
    assert len(report.exceptions) == 1 and "kaboom" in report.exceptions[0]
    assert any("kaboom" in e for e in report.errors)
    assert {"level": "error", "text": "boom", "source": "console"} in report.console


def test_alert_is_recorded_and_dismissed(chromium, tmp_path):
    path = page(tmp_path, "alert.html", "<script>alert(1)</script><p id='after'>after</p>")
    report = inspect_page(path, executable=chromium,
                          js_checks={"after": "!!document.getElementById('after')"})
    assert report.dialogs == [{"type": "alert", "message": "1"}]
    assert report.checks["after"] is True  # dismissed, so the page finished loading
    assert report.errors == []


def test_throwing_check_is_an_error(chromium, tmp_path):
    with pytest.raises(BrowserError, match="js check 'bad' threw: ReferenceError"):
        inspect_page(page(tmp_path, "p.html", "<p>x</p>"), executable=chromium,
                     js_checks={"bad": "no_such_name.x"})


def test_page_that_never_loads_times_out(chromium, tmp_path):
    path = page(tmp_path, "loop.html", "<script>while (true) {}</script>")
    with pytest.raises(BrowserTimeout, match="timed out"):
        inspect_page(path, executable=chromium, timeout=1.5)


def test_browser_that_dies_reports_its_stderr(tmp_path):
    fake = tmp_path / "fake-chromium"
    fake.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(BrowserError, match=r"(?s)exit status 3.*cannot open display"):
        inspect_page(page(tmp_path, "p.html", "<p>x</p>"), executable=str(fake))
