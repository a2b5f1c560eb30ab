"""Forms of the results area: the import of answers (a file and a column per question)."""
from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import Length, Optional

from evaluaties.questionnaires.models import QuestionnaireVersion
from kwaliteit.forms import BaseForm


class ImportForm(BaseForm):
    file = FileField(
        "Bestand (CSV of XLSX)",
        validators=[FileRequired("Kies een CSV- of XLSX-bestand.")],
        render_kw={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    )

    version: QuestionnaireVersion | None = None

    def column_fields(self):
        """(question, field) per question of the version, in order."""
        if self.version is None:
            return []
        return [(q, self[column_field_name(q.code)]) for q in self.version.questions]

    def mapping(self) -> dict[str, str]:
        """Question code -> column name as typed (empty: the default, text or code)."""
        return {q.code: (f.data or "").strip() for q, f in self.column_fields()}


def column_field_name(code: str) -> str:
    return f"kolom_{code}"


def import_form(version: QuestionnaireVersion | None, **kwargs) -> ImportForm:
    """An import form with one column-name field per question, prefilled with the question text."""
    attrs: dict = {"version": version}
    for q in version.questions if version is not None else []:
        attrs[column_field_name(q.code)] = StringField(
            q.text,
            default=q.text,
            validators=[Optional(), Length(max=500, message="Hoogstens 500 tekens.")],
        )
    cls = type("BoundImportForm", (ImportForm,), attrs)
    return cls(**kwargs)
