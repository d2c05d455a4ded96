from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from studyapp.ratelimits import limit_password_reset
from studyapp.views import accounts, health, progress, quiz, study, teach, topics

# Django's password views share two plain templates: a form page and a notice page.
FORM, NOTICE = "registration/form_page.html", "registration/notice_page.html"
PASSWORD_VIEWS = [
    ("change/", auth_views.PasswordChangeView, FORM, "Change password", "password_change"),
    (
        "change/done/",
        auth_views.PasswordChangeDoneView,
        NOTICE,
        "Password changed",
        "password_change_done",
    ),
    ("reset/", auth_views.PasswordResetView, FORM, "Reset your password", "password_reset"),
    (
        "reset/sent/",
        auth_views.PasswordResetDoneView,
        NOTICE,
        "Check your email",
        "password_reset_done",
    ),
    (
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView,
        FORM,
        "Choose a new password",
        "password_reset_confirm",
    ),
    (
        "reset/done/",
        auth_views.PasswordResetCompleteView,
        NOTICE,
        "Password reset",
        "password_reset_complete",
    ),
]

handler400 = "studyapp.views.errors.bad_request"

# Topic slugs may hold any letters ("ünits" from a note named Ünits.md), so their URLs
# take <str:>, not Django's ASCII-only <slug:>.
urlpatterns = [
    path("", topics.home, name="home"),
    path("topics/<str:slug>/", topics.topic, name="topic"),
    path("progress/", progress.progress, name="progress"),
    path("healthz", health.healthz, name="healthz"),
    path("study/", study.review, name="study"),
    path("study/grade/", study.grade_card, name="grade"),
    path("study/undo/", study.undo, name="undo"),
    path("study/topics/<str:slug>/", study.review, name="study_topic"),
    path("teach/upload/", teach.upload, name="upload"),
    path("teach/invite/", teach.invite, name="invite"),
    path("quizzes/", quiz.quiz_list, name="quizzes"),
    path("quizzes/<str:slug>/", quiz.quiz_detail, name="quiz"),
    path("quizzes/<str:slug>/start/", quiz.quiz_start, name="quiz_start"),
    path("quizzes/<str:slug>/regrade/", quiz.quiz_regrade, name="quiz_regrade"),
    path("attempts/<int:pk>/", quiz.attempt_page, name="attempt"),
    path(
        "attempts/<int:pk>/questions/<int:question_id>/",
        quiz.attempt_answer,
        name="attempt_answer",
    ),
    path("attempts/<int:pk>/finish/", quiz.attempt_finish, name="attempt_finish"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/profile/", accounts.profile, name="profile"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
# Requests that send mail are rate-limited (studyapp/ratelimits.py).
LIMITS = {"password_reset": limit_password_reset}
urlpatterns += [
    path(
        f"accounts/password/{route}",
        LIMITS.get(name, lambda view: view)(
            view.as_view(template_name=page, extra_context={"title": title})
        ),
        name=name,
    )
    for route, view, page, title, name in PASSWORD_VIEWS
]
