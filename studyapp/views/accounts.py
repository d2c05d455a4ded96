"""Signing up and the learner's study settings; Django's own views do the rest."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from studyapp.models import Profile, validate_time_zone
from studyapp.ratelimits import limit_sign_up
from studyapp.study import profile_for


class SignUpForm(UserCreationForm):
    email = forms.EmailField(help_text="For resetting your password if you forget it.")
    # Filled in by the browser (Intl API). A hidden field's error could not be fixed by
    # the person signing up, so a zone we do not know becomes UTC, editable in settings.
    time_zone = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def clean_time_zone(self) -> str:
        zone = self.cleaned_data["time_zone"]
        try:
            validate_time_zone(zone)
        except forms.ValidationError:
            return "UTC"
        return zone

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = [
            "time_zone",
            "day_start_hour",
            "new_per_day",
            "reviews_per_day",
            "desired_retention",
        ]
        help_texts = {"time_zone": "An IANA name such as Europe/Berlin or America/New_York."}


@login_not_required
@limit_sign_up
def signup(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():  # an account and its profile, or neither
            user = form.save()
            Profile.objects.create(user=user, time_zone=form.cleaned_data["time_zone"])
        login(request, user, backend="studyapp.auth.ProfileBackend")
        messages.success(request, "Welcome! Your account is ready.")
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form})


def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=profile_for(request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your study settings are saved.")
        return redirect("profile")
    return render(request, "registration/profile.html", {"form": form})
