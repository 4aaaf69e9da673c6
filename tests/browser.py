"""Open a local HTML file in headless Chromium and report what the page did.

A test harness, not a test module: ``inspect_page`` launches Chromium with
networking disabled, loads one ``file://`` page and returns a `PageReport`
listing every request, failed request, console message, uncaught exception
and JavaScript dialog, plus the values of caller-supplied JS expressions and
optionally a full-page PNG screenshot.

It speaks the Chrome DevTools Protocol (CDP) over ``--remote-debugging-pipe``
with the standard library only: Chromium reads NUL-terminated JSON commands
from its fd 3 and writes NUL-terminated JSON replies and events to its fd 4.
No websocket client, no Playwright, no driver binary to keep in step with the
browser version.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

#: Environment variable naming the browser to use (a path or a name on PATH).
ENV_VAR = "NEWSSCOPE_CHROMIUM"
#: Names tried on PATH, in order, when `ENV_VAR` is unset.
CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
#: Request schemes that never leave the machine; anything else is "external".
LOCAL_SCHEMES = frozenset({"file", "data", "about", "blob"})

# Fresh profile, no background chatter, and no way out: every http(s) request
# goes to a proxy on the discard port and every host name fails to resolve, so
# a page that tries the network fails loudly instead of depending on it.
# --no-sandbox because CI containers run as root, where the sandbox refuses to
# start; --disable-dev-shm-usage because container /dev/shm is often 64 MB.
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-quic",
    "--disable-breakpad",
    "--hide-scrollbars",
    "--mute-audio",
    "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--remote-debugging-pipe",
)
_STDERR_TAIL = 3000
# Chromium cannot rasterise arbitrarily tall pages; clip screenshots here.
_MAX_SHOT_HEIGHT = 16384


class BrowserError(RuntimeError):
    """Chromium failed to start, died, or answered a command with an error."""


class BrowserTimeout(BrowserError):
    """The page or the browser did not finish within the time allowed."""


@dataclass
class PageReport:
    """What happened while one page loaded.

    Attributes
    ----------
    url : str
        The ``file://`` URL that was opened.
    title : str
        ``document.title`` after loading.
    requests : list of str
        Every request URL the page made, in order, including the page itself.
    failed : list of dict
        Requests that failed, as ``{"url": ..., "error": ...}`` (``errorText``
        from Chromium, e.g. ``net::ERR_INTERNET_DISCONNECTED``).
    external : list of str
        Request URLs whose scheme is not file, data, about or blob.
    console : list of dict
        Console output as ``{"level": ..., "text": ..., "source": ...}``;
        *level* is ``error``, ``warning``, ``info``, ``log``, ``debug`` or
        ``verbose``, *source* is ``console`` for ``console.*`` calls and the
        Log domain source (``network``, ``javascript``, ...) otherwise.
    exceptions : list of str
        Uncaught exceptions, one description each.
    errors : list of str
        Console messages at level ``error`` followed by uncaught exceptions,
        prefixed by their source; the list a test asserts is empty.
    dialogs : list of dict
        JavaScript dialogs (``alert``, ``confirm``, ``prompt``,
        ``beforeunload``) as ``{"type": ..., "message": ...}``. Each was
        dismissed so the page could carry on.
    checks : dict
        The value of each ``js_checks`` expression, by name.
    screenshot : Path or None
        Where the PNG screenshot was written, if one was asked for.
    """

    url: str
    title: str = ""
    requests: list[str] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    console: list[dict[str, str]] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[dict[str, str]] = field(default_factory=list)
    checks: dict[str, Any] = field(default_factory=dict)
    screenshot: Path | None = None


def find_chromium() -> str | None:
    """Return the Chromium executable to use, or None when there is none.

    ``NEWSSCOPE_CHROMIUM`` wins when set (a path or a command name); it is not
    silently replaced by another browser when it points nowhere. Otherwise the
    first of ``chromium``, ``chromium-browser`` and ``google-chrome`` on PATH.

    Returns
    -------
    str or None
        Absolute path of the executable.
    """
    override = os.environ.get(ENV_VAR)
    if override:
        return shutil.which(os.path.expanduser(override))
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def inspect_page(
    html_path: str | os.PathLike[str],
    *,
    screenshot: str | os.PathLike[str] | None = None,
    js_checks: dict[str, str] | None = None,
    timeout: float = 60,
    width: int = 1280,
    height: int = 900,
    settle: float = 0.3,
    executable: str | None = None,
) -> PageReport:
    """Load *html_path* in offline headless Chromium and report what it did.

    Parameters
    ----------
    html_path : path-like
        The local HTML file to open.
    screenshot : path-like, optional
        Write a full-page PNG screenshot here.
    js_checks : dict of str to str, optional
        Name to JavaScript expression; each is evaluated after loading (a
        returned promise is awaited) and its JSON-able value stored in
        ``report.checks[name]``.
    timeout : float
        Seconds allowed for the whole run, browser start-up included.
    width, height : int
        Viewport size in CSS pixels.
    settle : float
        After the load event, keep listening until the page has been quiet
        this long (capped at ten times as long), so requests started by
        late scripts or timers are recorded too.
    executable : str, optional
        The browser to run; defaults to `find_chromium`.

    Returns
    -------
    PageReport

    Raises
    ------
    FileNotFoundError
        If *html_path* or the browser does not exist.
    BrowserError
        If Chromium exits early, a check expression throws or navigation
        fails; the message ends with the tail of Chromium's stderr.
    BrowserTimeout
        If *timeout* runs out.
    """
    path = Path(html_path).resolve()
    if not path.is_file():
        raise FileNotFoundError(path)
    executable = executable or find_chromium()
    if not executable:
        raise FileNotFoundError(f"no Chromium found; set {ENV_VAR} or install chromium")
    deadline = time.monotonic() + timeout
    with _Browser(executable, width, height, deadline) as browser:
        report = PageReport(url=path.as_uri())
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send(
            "Target.attachToTarget", {"targetId": target, "flatten": True}
        )["sessionId"]
        recorder = _Recorder(browser, session, report)
        browser.on_event = recorder.handle
        for domain in ("Page", "Network", "Runtime", "Log"):
            browser.send(f"{domain}.enable", session=session)
        # --window-size sizes the window, whose viewport headless Chromium
        # makes smaller than asked; pin the viewport itself.
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        # Belt and braces with the proxy flags: even a request that slipped
        # past them (a service worker, a new scheme) sees no network.
        browser.send(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
            session=session,
        )
        nav = browser.send("Page.navigate", {"url": report.url}, session=session)
        if nav.get("errorText"):
            raise BrowserError(f"navigating to {report.url} failed: {nav['errorText']}")
        loader = nav.get("loaderId")
        browser.wait_for(lambda: recorder.loaded(loader), f"the load event of {report.url}")
        browser.settle(settle, settle * 10)

        for name, expression in (js_checks or {}).items():
            report.checks[name] = browser.evaluate(expression, session, label=name)
        report.title = browser.evaluate("document.title", session)
        if screenshot is not None:
            report.screenshot = Path(screenshot)
            report.screenshot.write_bytes(browser.screenshot(session))
        browser.on_event = None
    return report


class _Recorder:
    """Turn the CDP events of one page session into a `PageReport`."""

    def __init__(self, browser: _Browser, session: str, report: PageReport) -> None:
        self._browser = browser
        self._session = session
        self._report = report
        self._urls: dict[str, str] = {}
        self._main_loader: str | None = None
        self._loads_since_commit = 0

    def loaded(self, loader: str | None) -> bool:
        # The about:blank the target started with may fire its own load event
        # late; only a load after *our* navigation committed counts.
        committed = loader is None or self._main_loader == loader
        return committed and self._loads_since_commit > 0

    def handle(self, message: dict[str, Any]) -> None:
        method, params = message["method"], message.get("params", {})
        # Without these the wait for the load event would just time out.
        if method == "Target.detachedFromTarget" and params.get("sessionId") == self._session:
            raise self._browser.failure("the page closed or was detached while loading")
        if message.get("sessionId") != self._session:
            return  # other browser-level events and other targets are not ours
        if method == "Inspector.targetCrashed":
            raise self._browser.failure("the page's renderer crashed")
        report = self._report
        if method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            self._urls[params["requestId"]] = url
            report.requests.append(url)
            if urlsplit(url).scheme not in LOCAL_SCHEMES:
                report.external.append(url)
        elif method == "Network.loadingFailed":
            url = self._urls.get(params["requestId"], "?")
            report.failed.append({"url": url, "error": params.get("errorText", "")})
        elif method == "Runtime.consoleAPICalled":
            kind = params.get("type", "log")
            level = "error" if kind in ("error", "assert") else kind
            text = " ".join(_describe(arg) for arg in params.get("args", []))
            self._console(level, text, "console")
        elif method == "Log.entryAdded":
            entry = params["entry"]
            if entry.get("source") != "console-api":  # already seen as consoleAPICalled
                self._console(entry.get("level", "info"), entry.get("text", ""), entry["source"])
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            exception = details.get("exception") or {}
            text = exception.get("description") or details.get("text", "exception")
            report.exceptions.append(text)
            report.errors.append(f"exception: {text}")
        elif method == "Page.javascriptDialogOpening":
            report.dialogs.append({"type": params.get("type", ""),
                                   "message": params.get("message", "")})
            # An open dialog blocks the page (and its load event) until answered.
            self._browser.send("Page.handleJavaScriptDialog", {"accept": False},
                               session=self._session, wait=False)
        elif method == "Page.frameNavigated" and not params["frame"].get("parentId"):
            self._main_loader = params["frame"].get("loaderId")
            self._loads_since_commit = 0
        elif method == "Page.loadEventFired":
            self._loads_since_commit += 1

    def _console(self, level: str, text: str, source: str) -> None:
        self._report.console.append({"level": level, "text": text, "source": source})
        if level == "error":
            self._report.errors.append(f"{source}: {text}")


def _describe(remote: dict[str, Any]) -> str:
    """Render a CDP RemoteObject (a console argument) as text."""
    if "value" in remote:
        value = remote["value"]
        return value if isinstance(value, str) else json.dumps(value)
    return str(remote.get("description") or remote.get("unserializableValue")
               or remote.get("type", ""))


class _Browser:
    """One Chromium process and the CDP pipe to it; a context manager."""

    def __init__(self, executable: str, width: int, height: int, deadline: float) -> None:
        self._executable = executable
        self._argv = [executable, *_FLAGS, f"--window-size={width},{height}"]
        self._deadline = deadline
        self._next_id = 0
        self._buffer = bytearray()
        self._replies: dict[int, dict[str, Any]] = {}
        self._unawaited: set[int] = set()
        self.on_event: Callable[[dict[str, Any]], None] | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._to_browser = self._from_browser = -1

    # -- life cycle --------------------------------------------------------

    def __enter__(self) -> _Browser:
        self._profile = tempfile.TemporaryDirectory(prefix="newsscope-chromium-",
                                                    ignore_cleanup_errors=True)
        self._stderr = tempfile.TemporaryFile(prefix="newsscope-chromium-stderr-")
        try:
            self._launch([*self._argv, f"--user-data-dir={self._profile.name}", "about:blank"])
        except BaseException:
            self._cleanup()
            raise
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            if exc_type is None:
                self._close_gracefully()
        finally:
            self._cleanup()

    def _launch(self, argv: list[str]) -> None:
        # Park /dev/null on fds 3 and 4 if they are free in this process, so
        # the pipes below (and subprocess's own error pipe) land above 4 and
        # the dup2 calls in the child cannot overwrite one of them.
        placeholders = []
        while True:
            fd = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
            if fd > 4:
                os.close(fd)
                break
            placeholders.append(fd)
        child_ends: list[int] = []
        try:
            commands_r, commands_w = os.pipe()
            child_ends.append(commands_r)
            self._to_browser = commands_w
            replies_r, replies_w = os.pipe()
            child_ends.append(replies_w)
            self._from_browser = replies_r

            def wire_fds() -> None:
                # Runs in the child between fork and exec. dup2 clears
                # close-on-exec, and pass_fds=(3, 4) stops subprocess from
                # closing the duplicates (it closes fds *after* preexec_fn).
                os.dup2(commands_r, 3)
                os.dup2(replies_w, 4)

            self._proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._stderr,
                pass_fds=(3, 4),
                preexec_fn=wire_fds,
                # Own process group, so cleanup can kill renderer and helper
                # processes too, and Ctrl-C in the terminal does not reach them.
                start_new_session=True,
            )
        finally:
            for fd in placeholders + child_ends:
                os.close(fd)  # the parent must drop the child's ends to see EOF

    def _close_gracefully(self) -> None:
        with contextlib.suppress(BrowserError, OSError):
            # Chromium may exit before replying, which is fine.
            self._deadline = min(self._deadline, time.monotonic() + 5)
            self.send("Browser.close")
        with contextlib.suppress(subprocess.TimeoutExpired):
            if self._proc is not None:
                self._proc.wait(timeout=5)

    def _cleanup(self) -> None:
        for fd in (self._to_browser, self._from_browser):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._to_browser = self._from_browser = -1
        if self._proc is not None:
            # Kill the whole group: the browser if it is still running and
            # any helper process it left behind.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait()
        self._stderr.close()
        self._profile.cleanup()

    def failure(self, what: str, cls: type[BrowserError] = BrowserError, *,
                 dying: bool = False) -> BrowserError:
        code = self._proc.poll() if self._proc is not None else None
        if dying and code is None and self._proc is not None:
            # A closed pipe means the browser is exiting right now; give it a
            # moment so the message shows its exit status and last words.
            with contextlib.suppress(subprocess.TimeoutExpired):
                code = self._proc.wait(timeout=1)
        self._stderr.flush()
        self._stderr.seek(0, os.SEEK_END)
        self._stderr.seek(max(0, self._stderr.tell() - 4 * _STDERR_TAIL))
        # Without a session bus Debian's Chromium logs D-Bus errors by the
        # dozen; they are never the problem and would crowd out the line that is.
        lines = self._stderr.read().decode("utf-8", "replace").splitlines()
        tail = "\n".join(line for line in lines if "dbus" not in line.lower()).strip()
        tail = tail[-_STDERR_TAIL:] or "(empty)"
        status = "still running" if code is None else f"exit status {code}"
        return cls(f"{what} ({self._executable}, {status}); chromium stderr:\n{tail}")

    # -- protocol ----------------------------------------------------------

    def send(self, method: str, params: dict[str, Any] | None = None, *,
             session: str | None = None, wait: bool = True) -> dict[str, Any]:
        """Send one CDP command; return its result, or {} when not *wait*."""
        self._next_id += 1
        command_id = self._next_id
        message: dict[str, Any] = {"id": command_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self._to_browser, data):]
        except OSError as error:  # BrokenPipeError once Chromium is gone
            raise self.failure(f"could not send {method}: {error}", dying=True) from error
        if not wait:
            self._unawaited.add(command_id)
            return {}
        self.wait_for(lambda: command_id in self._replies, f"the reply to {method}")
        reply = self._replies.pop(command_id)
        if "error" in reply:
            raise self.failure(f"{method} failed: {reply['error'].get('message', reply)}")
        return reply.get("result", {})

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        """Process messages until *condition* holds; BrowserTimeout at the deadline."""
        while not condition():
            remaining = self._deadline - time.monotonic()
            if remaining <= 0:
                raise self.failure(f"timed out waiting for {what}", BrowserTimeout)
            self._pump(remaining)

    def settle(self, quiet: float, cap: float) -> None:
        """Process messages until none arrived for *quiet* seconds, or *cap* passed."""
        end = min(time.monotonic() + cap, self._deadline)
        while (remaining := end - time.monotonic()) > 0:
            if not self._pump(min(quiet, remaining)):
                return

    def _pump(self, timeout: float) -> bool:
        """Read and dispatch what arrives within *timeout* s; False if nothing did."""
        # Wake up at least every half second to notice a browser that died
        # while a helper process still holds the pipe open.
        ready, _, _ = select.select([self._from_browser], [], [], min(timeout, 0.5))
        if not ready:
            if self._proc is not None and self._proc.poll() is not None:
                raise self.failure("chromium exited", dying=True)
            return False
        chunk = os.read(self._from_browser, 1 << 20)
        if not chunk:
            raise self.failure("chromium closed the DevTools pipe", dying=True)
        start = len(self._buffer)
        self._buffer += chunk
        # Only the new bytes can hold a terminator; screenshots arrive as
        # many-megabyte messages, so rescanning the whole buffer would be slow.
        end = self._buffer.find(b"\0", start)
        while end >= 0:
            message = json.loads(self._buffer[:end])
            del self._buffer[: end + 1]
            self._dispatch(message)
            end = self._buffer.find(b"\0")
        return True

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "id" in message:
            if message["id"] in self._unawaited:
                self._unawaited.discard(message["id"])
            else:
                self._replies[message["id"]] = message
        elif self.on_event is not None:
            self.on_event(message)

    # -- page helpers ------------------------------------------------------

    def evaluate(self, expression: str, session: str, label: str | None = None) -> Any:
        """Evaluate *expression* in the page and return its value by JSON."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=session,
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = (details.get("exception") or {}).get("description") or details.get("text")
            raise BrowserError(f"js check {label or expression!r} threw: {text}")
        return result["result"].get("value")

    def screenshot(self, session: str) -> bytes:
        """Return a PNG of the whole page, not just the viewport."""
        metrics = self.send("Page.getLayoutMetrics", session=session)
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        clip = {"x": 0, "y": 0, "scale": 1,
                "width": max(1, size["width"]),
                "height": max(1, min(size["height"], _MAX_SHOT_HEIGHT))}
        shot = self.send(
            "Page.captureScreenshot",
            {"format": "png", "captureBeyondViewport": True, "clip": clip},
            session=session,
        )
        return base64.b64decode(shot["data"])
