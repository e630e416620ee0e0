"""Question blocks of a post-test. Each question is one StreamField block, so
it keeps a stable id across edits; each choice is a ListBlock item, which has
a stable id too. Attempts store a frozen copy keyed by these ids.

A question names the learning objective it measures by the objective's key
(courses.LearningObjective.key), chosen by name: the page editor's form builds
the blocks with the course's objectives as the choices (`question_stream_block`);
the blocks declared on the model take any key."""

from django import forms
from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError


class AnswerChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=500)
    correct = blocks.BooleanBlock(required=False, help_text="Tick for a correct answer.")

    class Meta:
        icon = "radio-full"
        label = "Choice"
        label_format = "{text}"
        form_classname = "struct-block quizzes-choice"


def _stem():
    return blocks.TextBlock(
        label="Question", help_text="The stem: a complete question or an incomplete statement."
    )


def _rationale():
    return blocks.TextBlock(
        help_text="Why the correct answer is correct (and the distractors are not). "
        "Shown in review after the attempt, as the review policy allows."
    )


class ObjectiveBlock(blocks.ChoiceBlock):
    """The key of the course objective a question measures, chosen by its text."""

    def __init__(self, choices=(), **kwargs):
        kwargs.setdefault("label", "Learning objective measured")
        kwargs.setdefault("help_text", "The course's learning objective this question measures.")
        super().__init__(choices=choices, **kwargs)

    def get_field(self, **kwargs):
        field = super().get_field(**kwargs)
        field.error_messages.update(
            {
                "required": "Choose the learning objective this question measures.",
                "invalid_choice": "Choose one of the course's learning objectives (the one "
                "this question measured is no longer in the course).",
            }
        )
        return field

    def to_python(self, value):
        return "" if value is None else str(value)

    def get_prep_value(self, value):
        return "" if value is None else str(value)


def _objective():
    return ObjectiveBlock()


def _choices_error(message: str) -> StructBlockValidationError:
    """A question's choices refused, with the message shown at them."""
    return StructBlockValidationError(block_errors={"choices": ValidationError(message)})


class SingleChoiceQuestionBlock(blocks.StructBlock):
    stem = _stem()
    choices = blocks.ListBlock(AnswerChoiceBlock(), min_num=2, max_num=8)
    rationale = _rationale()
    objective = _objective()

    class Meta:
        icon = "radio-full"
        label = "Single choice"
        label_format = "{stem}"
        help_text = "One correct answer among the choices."

    def clean(self, value):
        value = super().clean(value)
        correct = sum(1 for choice in value["choices"] if choice["correct"])
        if correct != 1:
            raise _choices_error(f"Mark exactly one choice as correct (now {correct}).")
        return value


class MultipleSelectQuestionBlock(blocks.StructBlock):
    stem = _stem()
    choices = blocks.ListBlock(AnswerChoiceBlock(), min_num=3, max_num=8)
    partial_credit = blocks.BooleanBlock(
        required=False,
        help_text="Give partial credit (each correct pick earns its share, each wrong pick "
        "cancels one). Unticked: all-or-nothing.",
    )
    rationale = _rationale()
    objective = _objective()

    class Meta:
        icon = "tasks"
        label = "Multiple select"
        label_format = "{stem}"
        help_text = "“Select all that apply”: one or more correct answers."

    def clean(self, value):
        value = super().clean(value)
        if not any(choice["correct"] for choice in value["choices"]):
            raise _choices_error("Mark at least one choice as correct.")
        return value


class TrueFalseQuestionBlock(blocks.StructBlock):
    stem = blocks.TextBlock(label="Statement", help_text="A statement that is true or false.")
    correct_answer = blocks.ChoiceBlock(
        choices=[("true", "True"), ("false", "False")],
        default="true",
        widget=forms.RadioSelect,
        label="Correct answer",
    )
    rationale = _rationale()
    objective = _objective()

    class Meta:
        icon = "tick"
        label = "True / false"
        label_format = "{stem}"
        help_text = "Accreditors limit true/false items (NASW: at most 10 %)."


class QuestionStreamBlock(blocks.StreamBlock):
    single = SingleChoiceQuestionBlock()
    multiple = MultipleSelectQuestionBlock()
    true_false = TrueFalseQuestionBlock()


def question_stream_block(*, objectives: list[tuple[str, str]]) -> QuestionStreamBlock:
    """The question blocks for one course's editor: `objectives` are (key, label)
    choices, and a question whose objective is not among them is refused."""

    def with_objectives(block_class):
        return block_class(local_blocks=[("objective", ObjectiveBlock(choices=objectives))])

    return QuestionStreamBlock(
        local_blocks=[
            ("single", with_objectives(SingleChoiceQuestionBlock)),
            ("multiple", with_objectives(MultipleSelectQuestionBlock)),
            ("true_false", with_objectives(TrueFalseQuestionBlock)),
        ]
    )
