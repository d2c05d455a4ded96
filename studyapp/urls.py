from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from studyapp.views import accounts, health, progress, study, topics

# Django's password views share two plain templates: a form page and a notice page.
FORM, NOTICE = "registration/form_page.html", "registration/notice_page.html"


def _title(title: str) -> dict[str, str]:
    return {"title": title}


urlpatterns = [
    path("", topics.home, name="home"),
    path("topics/<slug:slug>/", topics.topic, name="topic"),
    path("progress/", progress.progress, name="progress"),
    path("healthz", health.healthz, name="healthz"),
    path("study/", study.review, name="study"),
    path("study/grade/", study.grade_card, name="grade"),
    path("study/undo/", study.undo, name="undo"),
    path("study/topics/<slug:slug>/", study.review, name="study_topic"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/profile/", accounts.profile, name="profile"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name=FORM, extra_context=_title("Change password")
        ),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name=NOTICE, extra_context=_title("Password changed")
        ),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name=FORM, extra_context=_title("Reset your password")
        ),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name=NOTICE, extra_context=_title("Check your email")
        ),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name=FORM, extra_context=_title("Choose a new password")
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name=NOTICE, extra_context=_title("Password reset")
        ),
        name="password_reset_complete",
    ),
    path("admin/", admin.site.urls),
]
