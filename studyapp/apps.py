from django.apps import AppConfig


class StudyappConfig(AppConfig):
    name = "studyapp"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from studyapp import sql

        sql.keep_long_statements()
