"""The label each profession code printed as when reports 0005 and 0006 ran
(accounts.Profession then), frozen here for those two data migrations: 0005
turns codes into labels, 0006 labels back into codes."""

PROFESSION_LABELS = {
    "psychologist": "Psychologist",
    "social_worker": "Social worker",
    "counselor": "Professional counselor",
    "mft": "Marriage & family therapist",
    "other": "Other",
}
