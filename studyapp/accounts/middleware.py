"""The logged-in user as itself, not behind Django's lazy wrapper, once it has been read."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty


class LoadedUserMiddleware:
    """After LoginRequiredMiddleware has read request.user (for every view that needs a
    log-in), put the user itself in its place.

    AuthenticationMiddleware sets request.user to a SimpleLazyObject, so that a request
    that never asks pays no look-up; every attribute read through it then goes through
    a failed attribute look-up and a proxy call. The reviewer reads the learner's id
    some forty times a card (in each statement's parameters), and that was about 0.1 ms
    of the card's answer. A view that needs no log-in keeps the lazy object, read or not.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        loaded = getattr(request.user, "_wrapped", empty)  # a lazy object's, once read
        if loaded is not empty and loaded is not None:
            request.user = loaded
