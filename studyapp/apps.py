from django.apps import AppConfig


class StudyappConfig(AppConfig):
    name = "studyapp"
    default_auto_field = "django.db.models.BigAutoField"
