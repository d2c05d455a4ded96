from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from studyapp.accounts import views as accounts
from studyapp.accounts.ratelimits import limit_password_reset
from studyapp.classes import report_views as class_reports
from studyapp.classes import teach as classes_teach
from studyapp.classes import views as classes
from studyapp.courses import teach as courses_teach
from studyapp.courses import views as courses
from studyapp.ops import health
from studyapp.quizzes import teach
from studyapp.quizzes import views as quizzes
from studyapp.study import views as study

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

handler400 = "studyapp.ops.errors.bad_request"
handler500 = "studyapp.ops.errors.server_error"

# Slugs may hold any letters ("ünits" from a note named Ünits.md), so their URLs take
# <str:>, not Django's ASCII-only <slug:>.
urlpatterns = [
    path("", courses.home, name="home"),
    path("courses/<str:course>/", courses.course, name="course"),
    path("courses/<str:course>/topics/<str:slug>/", courses.topic, name="topic"),
    path("courses/<str:course>/cards/", courses.course_cards, name="course_cards"),
    path("courses/<str:course>/topics/<str:slug>/cards/", courses.topic_cards, name="topic_cards"),
    path("courses/<str:course>/study/", study.review, name="study_course"),
    path("courses/<str:course>/topics/<str:slug>/study/", study.review, name="study_topic"),
    path("courses/<str:course>/quizzes/<str:slug>/", quizzes.quiz_detail, name="quiz"),
    path("courses/<str:course>/quizzes/<str:slug>/start/", quizzes.quiz_start, name="quiz_start"),
    path(
        "courses/<str:course>/quizzes/<str:slug>/regrade/",
        quizzes.quiz_regrade,
        name="quiz_regrade",
    ),
    path("progress/", study.progress, name="progress"),
    path("progress/cards/", courses.my_cards, name="my_cards"),
    path("progress/reviews.csv", study.review_history, name="review_history"),
    path("healthz", health.healthz, name="healthz"),
    path("ping", health.ping, name="ping"),
    path("study/", study.review, name="study"),
    path("study/grade/", study.grade_card, name="grade"),
    path("study/undo/", study.undo, name="undo"),
    path("study/mark/", study.mark_card, name="mark_card"),
    path("study/schedule/", study.schedule, name="schedule"),
    path("study/schedule/fit/", study.schedule_fit, name="schedule_fit"),
    path("study/schedule/undo/", study.schedule_undo, name="schedule_undo"),
    path("study/schedule/retention/", study.schedule_retention, name="schedule_retention"),
    path("teach/", courses_teach.teach_home, name="teach"),
    path("teach/courses/new/", courses_teach.course_new, name="course_new"),
    path("teach/courses/<str:course>/", courses_teach.course_manage, name="course_manage"),
    path(
        "teach/courses/<str:course>/co-teachers/",
        courses_teach.coteacher_invite,
        name="coteacher_invite",
    ),
    path("teach/join/<str:secret>/", courses_teach.coteacher_join, name="coteacher_join"),
    path("teach/courses/<str:course>/notes/", courses_teach.notes_upload, name="notes_upload"),
    path("teach/courses/<str:course>/quizzes/<str:slug>/", teach.quiz_manage, name="quiz_manage"),
    path(
        "teach/courses/<str:course>/quizzes/<str:slug>/retire/",
        teach.quiz_retire,
        name="quiz_retire",
    ),
    path(
        "teach/courses/<str:course>/quizzes/<str:slug>/delete/",
        teach.quiz_delete,
        name="quiz_delete",
    ),
    path(
        "teach/courses/<str:course>/quizzes/<str:slug>/download/<str:fmt>/",
        teach.quiz_download,
        name="quiz_download",
    ),
    path("teach/courses/<str:course>/quizzes/<str:slug>/essays/", teach.essays, name="essays"),
    path(
        "teach/courses/<str:course>/quizzes/<str:slug>/essays/<int:response>/",
        teach.essay_mark,
        name="essay_mark",
    ),
    path("teach/classes/new/", classes_teach.class_new, name="class_new"),
    path("teach/classes/<int:pk>/", classes_teach.class_manage, name="class_manage"),
    path("teach/classes/<int:pk>/code/", classes_teach.class_code, name="class_code"),
    path("teach/classes/<int:pk>/new-code/", classes_teach.class_new_code, name="class_new_code"),
    path(
        "teach/classes/<int:pk>/learners/<int:learner>/remove/",
        classes_teach.class_remove,
        name="class_remove",
    ),
    path(
        "teach/classes/<int:pk>/learners/<int:learner>/",
        class_reports.class_learner,
        name="class_learner",
    ),
    path(
        "teach/classes/<int:pk>/assignments/",
        classes_teach.assignment_new,
        name="assignment_new",
    ),
    path(
        "teach/classes/<int:pk>/assignments/<int:assignment>/delete/",
        classes_teach.assignment_delete,
        name="assignment_delete",
    ),
    path("teach/classes/<int:pk>/report/", class_reports.class_report_view, name="class_report"),
    path(
        "teach/classes/<int:pk>/quizzes/<int:quiz>/report/",
        class_reports.class_quiz_report,
        name="class_quiz_report",
    ),
    path("classes/join/", classes.join_class, name="join_class"),
    path("classes/<int:pk>/leave/", classes.leave_class, name="leave_class"),
    path("join/<str:code>/", classes.join_link, name="join_link"),
    path("teach/upload/", teach.upload, name="upload"),
    path("teach/invite/", accounts.invite, name="invite"),
    path("quizzes/", quizzes.quiz_list, name="quizzes"),
    path("attempts/<int:pk>/", quizzes.attempt_page, name="attempt"),
    path(
        "attempts/<int:pk>/questions/<int:question_id>/",
        quizzes.attempt_answer,
        name="attempt_answer",
    ),
    path("attempts/<int:pk>/save/", quizzes.attempt_save, name="attempt_save"),
    path("attempts/<int:pk>/finish/", quizzes.attempt_finish, name="attempt_finish"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/profile/", accounts.profile, name="profile"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
# Requests that send mail are rate-limited (studyapp/accounts/ratelimits.py).
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
