"""Calling an OpenAI-compatible service the host configured (the LLM, the speech service):
the endpoint's URL completed from a base, and attempts with a time limit each, tried again
after a timeout or a 5xx with a doubling pause, every failure said in plain words."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit, urlunsplit

import aiohttp

log = logging.getLogger(__name__)


class ServiceError(Exception):
    """The service gave no usable reply. `retry` says whether trying again may help."""

    def __init__(self, message: str, *, retry: bool = False) -> None:
        super().__init__(message)
        self.retry = retry


def endpoint(url: str, path_end: str) -> str:
    """`.../<path_end>` as given; a base such as `http://h:8000/v1` or `http://h:8000` completed."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if not path.endswith(path_end):
        path += path_end if path.endswith("/v1") else "/v1" + path_end
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


async def with_retries[T](
    attempt: Callable[[], Awaitable[T]],
    *,
    error: type[ServiceError],
    service: str,
    request: str,
    retries: int,
    backoff: float,
    total_timeout: float,
) -> T:
    """`attempt()`'s result; `error` (a ServiceError) when every attempt failed. `service`
    names the service in messages ("the LLM"), `request` its requests ("the LLM request")."""
    delay = backoff
    for n in range(retries + 1):
        try:
            async with asyncio.timeout(total_timeout):
                return await attempt()
        except TimeoutError:
            failure = error(f"{service} did not answer in time", retry=True)
        except aiohttp.ClientResponseError as exc:
            failure = error(f"{service} answered HTTP {exc.status}", retry=exc.status >= 500)
        except aiohttp.ClientConnectionError as exc:
            failure = error(f"{service} cannot be reached ({type(exc).__name__})")
        except aiohttp.ClientError as exc:
            failure = error(f"{request} failed ({type(exc).__name__})")
        except ServiceError as exc:
            failure = exc if isinstance(exc, error) else error(str(exc), retry=exc.retry)
        except ValueError:  # a stream line over aiohttp's limit, a bad encoding
            failure = error(f"{service}'s reply could not be read")
        if not failure.retry or n == retries:
            raise failure
        log.info("%s: attempt %d failed (%s); retrying in %.1f s", service, n + 1, failure, delay)
        await asyncio.sleep(delay)
        delay *= 2
    raise error("no attempt was made")  # only when retries < 0
