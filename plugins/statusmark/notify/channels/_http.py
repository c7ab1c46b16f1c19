"""One HTTP POST, and the failure classification every HTTP channel shares.

The runner decides about retries from three facts on ``SendFailed``: did it fail at all,
could the receiver have got it anyway (``outcome_unknown``), and can a retry help
(``permanent``). This module maps what ``requests`` reports onto those facts, and
makes sure no reason ever quotes the URL: webhook URLs carry their token in the path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import requests
import urllib3.exceptions

from ... import __version__
from .base import SendFailed

USER_AGENT = f"statusmark/{__version__}"

# Client errors where the receiver asks us to come back later rather than rejecting us.
_TRANSIENT_4XX = frozenset({408, 425, 429})

# How much of a receiver's error answer a reason quotes (Slack says "invalid_blocks" etc.).
_DETAIL_CHARS = 200


def post(
    url: str,
    body: bytes,
    *,
    target: str,
    timeout: float,
    ok: Iterable[int],
    headers: Mapping[str, str] | None = None,
    secrets: Iterable[str] = (),
) -> requests.Response:
    """POST ``body`` once and return the answer if its status is in ``ok``; else raise ``SendFailed``.

    ``target`` names the channel in reasons (already masked); ``secrets`` are scrubbed from
    any text quoted from the receiver. Redirects are not followed: a POST that is redirected
    is silently turned into a GET by most clients, and a moved webhook needs a new URL anyway.
    """
    secrets = [url, *secrets]
    sent_headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, **(headers or {})}
    try:
        with requests.Session() as session:
            # Sessions pick up proxies and CA bundles from the environment, as operators expect.
            response = session.post(url, data=body, headers=sent_headers, timeout=timeout, allow_redirects=False)
    except requests.exceptions.ConnectTimeout:
        raise SendFailed(f"{target}: timed out connecting after {timeout:g}s") from None
    except requests.exceptions.Timeout:
        # The request was written; only the answer is missing. The receiver may have acted on it.
        raise SendFailed(
            f"{target}: no answer within {timeout:g}s; it may have been delivered", outcome_unknown=True
        ) from None
    except requests.exceptions.SSLError:
        raise SendFailed(f"{target}: TLS handshake failed") from None
    except requests.exceptions.ConnectionError as exc:
        never_connected = _connect_failure(exc)
        if never_connected:
            raise SendFailed(f"{target}: could not connect ({never_connected})") from None
        raise SendFailed(
            f"{target}: connection lost before an answer; it may have been delivered", outcome_unknown=True
        ) from None
    except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema):
        raise SendFailed(f"{target}: the URL is not a valid http(s) URL", permanent=True) from None
    except requests.RequestException as exc:
        raise SendFailed(f"{target}: request failed ({type(exc).__name__})") from None
    # `from None` above: the requests exceptions quote the full URL, and a logged traceback
    # would print the chained cause.
    ok = frozenset(ok)
    if response.status_code in ok:
        return response
    raise status_failure(response, target=target, ok=ok, secrets=secrets)


def status_failure(
    response: requests.Response, *, target: str, ok: frozenset[int], secrets: Iterable[str]
) -> SendFailed:
    """The ``SendFailed`` for an answer whose status is not one of ``ok``."""
    status = response.status_code
    detail = _detail(response, secrets)
    if 200 <= status < 300:
        # Taken in, but not with the answer this receiver gives for success: we cannot tell.
        return SendFailed(
            f"{target}: unexpected answer HTTP {status}{detail} (expected {_statuses(ok)})", outcome_unknown=True
        )
    if 300 <= status < 400:
        return SendFailed(f"{target}: redirected (HTTP {status}); update the URL", permanent=True)
    if status in _TRANSIENT_4XX:
        after = response.headers.get("Retry-After", "")
        wait = f", retry after {after}s" if after.isdigit() else ""
        return SendFailed(f"{target}: HTTP {status}{wait}{detail}")
    if 400 <= status < 500:
        return SendFailed(f"{target}: rejected with HTTP {status}{detail}", permanent=True)
    return SendFailed(f"{target}: HTTP {status}{detail}")


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret (and, for URLs, their path) replaced by ``***``."""
    for secret in secrets:
        if not secret:
            continue
        text = text.replace(secret, "***")
        path = secret.split("://", 1)[-1].partition("/")[2]
        if len(path) >= 8:  # a short path such as "/" or "/hook" is no secret and too common to scrub
            text = text.replace(path, "***")
    return text


def _detail(response: requests.Response, secrets: Iterable[str]) -> str:
    text = " ".join(response.text[: _DETAIL_CHARS * 2].split())[:_DETAIL_CHARS]
    return f": {scrub(text, secrets)}" if text else ""


def _statuses(ok: frozenset[int]) -> str:
    return " or ".join(str(code) for code in sorted(ok))


def _connect_failure(exc: requests.exceptions.ConnectionError) -> str:
    """Why no connection was made, or "" if it was made and then lost (the request may have arrived)."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if isinstance(reason, urllib3.exceptions.NameResolutionError):
        return "host name not found"
    if isinstance(reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError):
        cause = reason.__cause__ or reason.__context__
        return "connection refused" if isinstance(cause, ConnectionRefusedError) else "no connection"
    return ""
