"""Authentication backend that loads the profile with the user, in one query.

Nearly every page needs the learner's profile (time zone, limits, retention); joining
it here saves a query on each request.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser


class ProfileBackend(ModelBackend):
    def get_user(self, user_id: int) -> AbstractBaseUser | None:
        User = get_user_model()
        try:
            user = User._default_manager.select_related("profile").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
