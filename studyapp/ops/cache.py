"""Django's RedisCache, made to forgive Redis being away.

The cache holds nothing that is not also somewhere else: sessions are kept in the database
too (the cached_db engine), rate-limit counts can be lost, and everything else is a copy.
So when Redis cannot be reached, a read is a miss and a write is skipped, and the app keeps
serving from the database instead of answering every request with a 500. After a failure
the cache does not try Redis again for `RETRY_SECONDS`, so an outage costs one refused
connection (or one timeout) per worker every few seconds, not one per request.

Rate limits must know the difference between "no count yet" and "no count at all": `add`
and `incr` say False and raise ValueError when Redis is away, which django-ratelimit reads
as "the count failed" (see accounts/ratelimits.py for what log-in does then).
"""

from __future__ import annotations

import logging
import time
from functools import wraps

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

RETRY_SECONDS = 2.0
_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _forgiving(when_away):
    """Wrap a cache method: when Redis is away, return `when_away(args)` instead."""

    def decorate(method):
        @wraps(method)
        def wrapper(self, *args, **kwargs):
            if self.is_away():
                return when_away(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except _UNREACHABLE as error:
                self.went_away(error)
                return when_away(*args, **kwargs)

        return wrapper

    return decorate


def _default(key, default=None, *args, **kwargs):
    return default


def _nothing(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _empty(*args, **kwargs):
    return {}


def _missing_key(key, *args, **kwargs):
    # What RedisCache.incr says of a key that is not there; django-ratelimit expects it.
    raise ValueError(f"Key {key!r} not found: the cache is unavailable.")


class _KeptClientRedisCacheClient(RedisCacheClient):
    """Django's client makes a new redis.Redis for every cache call, and each one builds
    its table of about 170 reply handlers: 0.75 ms of every request that reads its session
    from Redis (cProfile of the reviewer). A redis.Redis is safe to share between threads
    (its connection pool hands each call its own connection), so one per server is kept."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(index)
            )
        return client


class ForgivingRedisCache(RedisCache):
    """RedisCache whose reads miss and whose writes are skipped while Redis is away.

    `MAX_TIMEOUT` (seconds, top-level in the CACHES entry) caps how long any key is kept.
    Sessions use it: a session deleted (a log-out) while Redis was unreachable but not
    restarted would otherwise stay in the cache, and be believed, until the session's end.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _KeptClientRedisCacheClient
        self.max_timeout = params.get("MAX_TIMEOUT")
        self._away_until = 0.0

    def is_away(self) -> bool:
        return time.monotonic() < self._away_until

    def went_away(self, error: Exception) -> None:
        first = self._away_until == 0.0 or time.monotonic() >= self._away_until + RETRY_SECONDS
        self._away_until = time.monotonic() + RETRY_SECONDS
        if first:
            log.warning("Redis is unavailable, serving without the cache: %s", error)

    def get_backend_timeout(self, timeout=...):
        seconds = super().get_backend_timeout(timeout)
        if self.max_timeout is not None and (seconds is None or seconds > self.max_timeout):
            return self.max_timeout
        return seconds

    get = _forgiving(_default)(RedisCache.get)
    get_many = _forgiving(_empty)(RedisCache.get_many)
    has_key = _forgiving(_false)(RedisCache.has_key)
    add = _forgiving(_false)(RedisCache.add)
    set = _forgiving(_nothing)(RedisCache.set)
    set_many = _forgiving(lambda data, *a, **k: list(data))(RedisCache.set_many)
    touch = _forgiving(_false)(RedisCache.touch)
    delete = _forgiving(_false)(RedisCache.delete)
    delete_many = _forgiving(_nothing)(RedisCache.delete_many)
    incr = _forgiving(_missing_key)(RedisCache.incr)
    clear = _forgiving(_false)(RedisCache.clear)
