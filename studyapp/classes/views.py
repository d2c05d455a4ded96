"""A learner's side of classes: joining with a code (from the menu or a join link) and
leaving."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from studyapp.classes.access import classroom_for_learner
from studyapp.classes.membership import JoinError, class_for_code, join
from studyapp.classes.models import Membership


class JoinForm(forms.Form):
    code = forms.CharField(max_length=40, label="Class code", help_text="From your teacher.")


@require_http_methods(["GET", "POST"])
def join_class(request: HttpRequest) -> HttpResponse:
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            classroom = join(request.user, form.cleaned_data["code"])
        except JoinError as error:
            form.add_error("code", str(error))
        else:
            messages.success(request, f"You are in “{classroom.name}”.")
            return redirect("home")
    return render(request, "classes/join.html", {"form": form})


@login_not_required
@require_http_methods(["GET", "POST"])
def join_link(request: HttpRequest, code: str) -> HttpResponse:
    """A class's join link: a learner logged in joins with one click (a POST: a link
    preview joins nobody); anyone else signs up with the code, or logs in first."""
    try:
        classroom = class_for_code(code)
    except JoinError as error:
        return render(
            request, "classes/join.html", {"form": None, "problem": str(error)}, status=404
        )
    if not request.user.is_authenticated:
        context = {
            "classroom": classroom,
            "signup_url": f"{reverse('signup')}?{urlencode({'code': classroom.join_code})}",
            "login_url": f"{reverse('login')}?{urlencode({'next': request.path})}",
        }
        return render(request, "classes/join_link.html", context)
    if request.method == "POST":
        join(request.user, classroom.join_code)
        messages.success(request, f"You are in “{classroom.name}”.")
        return redirect("home")
    return render(request, "classes/join_link.html", {"classroom": classroom})


@require_POST
def leave_class(request: HttpRequest, pk: int) -> HttpResponse:
    classroom = classroom_for_learner(request, pk)
    Membership.objects.filter(classroom=classroom, learner=request.user).delete()
    messages.success(request, f"You left “{classroom.name}”. Your own progress is kept.")
    return redirect("home")
