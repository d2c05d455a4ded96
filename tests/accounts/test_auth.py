from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from studyapp.accounts.auth import ProfileBackend
from studyapp.accounts.models import profile_for


@pytest.mark.django_db
def test_the_profile_comes_with_the_user_in_one_query(learner, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = ProfileBackend().get_user(learner.pk)
        assert profile_for(user).time_zone == "UTC"


@pytest.mark.django_db
def test_a_user_without_a_profile_gets_one(client):
    user = User.objects.create_user("new", password="pw-new-12345")
    client.force_login(user)
    assert client.get(reverse("study")).status_code == 200
    assert user.profile.role == "learner"


@pytest.mark.django_db
def test_inactive_or_missing_users_are_not_loaded(learner):
    learner.is_active = False
    learner.save()
    assert ProfileBackend().get_user(learner.pk) is None
    assert ProfileBackend().get_user(99999) is None


@pytest.mark.django_db
def test_a_logged_in_view_gets_the_user_itself_not_the_lazy_wrapper(client, learner):
    client.force_login(learner)
    user = client.get(reverse("ping")).wsgi_request.user
    assert type(user) is User  # not SimpleLazyObject, whose every attribute read is slow
    assert user.pk == learner.pk
