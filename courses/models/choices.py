"""The choices the course models share."""

from decimal import Decimal

from django.db import models


class CreditCategory(models.TextChoices):
    GENERAL = "general", "General"
    ETHICS = "ethics", "Ethics"
    CULTURAL_DIVERSITY = "cultural_diversity", "Cultural diversity"
    SUPERVISION = "supervision", "Clinical supervision"


class DeliveryFormat(models.TextChoices):
    SELF_PACED_READING = "self_paced_reading", "Self-paced online, reading-based"
    SELF_PACED_MULTIMEDIA = "self_paced_multimedia", "Self-paced online, multimedia"
    LIVE_WEBINAR = "live_webinar", "Live interactive webinar"


class CreditMethod(models.TextChoices):
    WORD_COUNT = "word_count", "Word count"
    MEDIA_MINUTES = "media_minutes", "Media minutes"
    PILOT_TEST = "pilot_test", "Pilot test"


class Level(models.TextChoices):
    INTRODUCTORY = "introductory", "Introductory"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"


class RuleKind(models.TextChoices):
    """Whether an accreditor's post-test rules bind (NASW) or only advise (APA's FAQ:
    "there are no specific requirements, we recommend 6-8 questions")."""

    REQUIREMENT = "requirement", "Requirement"
    RECOMMENDATION = "recommendation", "Recommendation"


class SeatTimePolicy(models.TextChoices):
    """What an accreditor does with recorded active time below its stated share of
    the credited hours (courses.seat_time)."""

    OFF = "off", "Off: record active time only"
    FLAG = "flag", "Flag: complete, but flag the completion for an auditor"
    ENFORCE = "enforce", "Enforce: no completion until the time is reached"


CREDIT_INCREMENTS = [
    (Decimal("0.25"), "Quarter hours"),
    (Decimal("0.50"), "Half hours"),
    (Decimal("1.00"), "Whole hours"),
]
