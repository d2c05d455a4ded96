"""Every area's models, imported here so that Django finds them: one app, one migration
history. Code imports a model from its area (studyapp.courses.models and so on)."""

# validate_time_zone: migration 0002 names it here.
from studyapp.accounts.models import Profile, validate_time_zone
from studyapp.classes.models import Assignment, Classroom, Membership
from studyapp.courses.models import (
    Card,
    CoTeacherInvite,
    Course,
    DroppedCard,
    Lesson,
    Section,
    Teaching,
    Topic,
)
from studyapp.quizzes.models import Attempt, Question, Quiz, Response
from studyapp.study.models import (
    CardMark,
    CardState,
    MarkLog,
    ParameterFit,
    ReviewLog,
    StudyDay,
)

__all__ = [
    "Assignment",
    "Attempt",
    "Card",
    "CardMark",
    "CardState",
    "Classroom",
    "CoTeacherInvite",
    "Course",
    "DroppedCard",
    "Lesson",
    "MarkLog",
    "Membership",
    "ParameterFit",
    "Profile",
    "Question",
    "Quiz",
    "Response",
    "ReviewLog",
    "Section",
    "StudyDay",
    "Teaching",
    "Topic",
    "validate_time_zone",
]
