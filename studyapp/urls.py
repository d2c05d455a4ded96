from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from studyapp.views import study, topics

urlpatterns = [
    path("", topics.home, name="home"),
    path("topics/<slug:slug>/", topics.topic, name="topic"),
    path("study/", study.review, name="study"),
    path("study/grade/", study.grade_card, name="grade"),
    path("study/undo/", study.undo, name="undo"),
    path("study/topics/<slug:slug>/", study.review, name="study_topic"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
