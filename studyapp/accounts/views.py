"""Signing up (with an invitation, where SIGNUP asks for one), study settings, and the
instructors' invitation links; Django's own views do the rest."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.contrib.auth.models import User
from django.core import validators
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode

from studyapp.accounts.access import instructor_required
from studyapp.accounts.models import Profile, profile_for, validate_time_zone
from studyapp.accounts.ratelimits import limit_log_in, limit_sign_up
from studyapp.accounts.signup import InvitationError, invitation, read_invitation, until
from studyapp.classes.membership import JoinError, class_for_code
from studyapp.classes.models import Membership


class SignUpForm(UserCreationForm):
    email = forms.EmailField(help_text="For resetting your password if you forget it.")
    code = forms.CharField(
        label="Class code",
        max_length=40,
        required=False,
        help_text="From your teacher, to join their class as you sign up.",
    )
    invite = forms.CharField(max_length=500, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, code_required: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].required = code_required
        self.classroom = None

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if code:
            try:
                self.classroom = class_for_code(code)
            except JoinError as error:
                raise forms.ValidationError(str(error)) from None
        return code

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


class LoginForm(AuthenticationForm):
    """Django's log-in form, checking the name's length as well as showing it.

    Django sets the maximum after building the field, so no validator enforces it: a longer
    name reached authenticate(), and axes wrote it into a 255-character column, a 500 on
    PostgreSQL. No account has a longer name, so it is refused before it is counted."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(validators.MaxLengthValidator(field.max_length))


@method_decorator(limit_log_in, name="dispatch")
class LoginView(auth_views.LoginView):
    """Django's log-in page, which offers sign-up only where anyone may sign up."""

    form_class = LoginForm

    def get_context_data(self, **kwargs: object) -> dict:
        return super().get_context_data(**kwargs) | {"signup_policy": settings.SIGNUP_POLICY}


@login_not_required
@limit_sign_up
def signup(request: HttpRequest) -> HttpResponse:
    policy = settings.SIGNUP_POLICY
    token = request.POST.get("invite") or request.GET.get("invite") or ""
    if policy == "closed":
        return _no_sign_up(request, "closed")
    role = Profile.Role.LEARNER
    if token:
        try:
            role = read_invitation(token)
        except InvitationError as error:
            return _no_sign_up(request, "invalid", str(error))
    # With SIGNUP=code, a class's join code is the way in (or an invitation link).
    initial = {"invite": token, "code": request.GET.get("code", "")}
    form = SignUpForm(
        request.POST or None, initial=initial, code_required=policy == "code" and not token
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():  # an account, its profile and its class, or none
            user = form.save()
            Profile.objects.create(user=user, role=role, time_zone=form.cleaned_data["time_zone"])
            if form.classroom is not None:
                Membership.objects.create(classroom=form.classroom, learner=user)
        login(request, user, backend="studyapp.accounts.auth.ProfileBackend")
        welcome = "Welcome! Your account is ready"
        if form.classroom is not None:
            welcome += f", and you are in “{form.classroom.name}”"
        messages.success(request, welcome + ".")
        return redirect("home")
    context = {"form": form, "role": role, "code_required": form.fields["code"].required}
    return render(request, "accounts/signup.html", context)


def _no_sign_up(request: HttpRequest, reason: str, problem: str = "") -> HttpResponse:
    """Say why this person cannot sign up here (403): nothing is saved."""
    context = {"reason": reason, "problem": problem}
    return render(request, "accounts/no_signup.html", context, status=403)


def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=profile_for(request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your study settings are saved.")
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form})


INVITATION_DAYS = 14


@instructor_required
def invite(request: HttpRequest) -> HttpResponse:
    """Make an invitation link that lets learners sign up (however SIGNUP is set but
    closed) for INVITATION_DAYS."""
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405)
    context: dict = {"days": INVITATION_DAYS, "policy": settings.SIGNUP_POLICY}
    if request.method == "POST":
        token = invitation(Profile.Role.LEARNER, INVITATION_DAYS)
        query = urlencode({"invite": token})
        context |= {
            "link": request.build_absolute_uri(f"{reverse('signup')}?{query}"),
            "until": until(token),
        }
    template = "accounts/invite.html#link" if request.htmx else "accounts/invite.html"
    return render(request, template, context)
