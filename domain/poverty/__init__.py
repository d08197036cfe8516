"""The multidimensional poverty standards and the household self-assessment.

A package split by concern; everything is importable from `domain.poverty` as before:

- `models`: the data file's models (income lines, indicators, category rules, citations, the
  names a standard is known by) and the domain errors;
- `loading`: validating the parsed data file, choosing the standard in force on a date;
- `assessment`: the pure assessment (`assess`) and its "what would change" witnesses;
- `explanation`: the plain-language explanation, rendered from the assessment alone;
- `contract`: the JSON contract of `giamngheo assess`, including `changes`.

No I/O here: callers read `domain/data/poverty_standards.yaml` and pass the parsed mapping in.
Every figure comes from the data file, where each carries its sources and a `confirmed` flag.
"""

from domain.i18n import N_, Translator
from domain.poverty.assessment import (
    Assessment,
    Change,
    Household,
    assess,
    category_of,
    shown_income,
    translate_household,
)
from domain.poverty.contract import (
    apply_patch,
    assess_json,
    assessment_to_json,
    change_patch,
    changes_to_json,
    household_from_json,
    input_date,
)
from domain.poverty.explanation import (
    CATEGORY_NAMES,
    OFFICIAL,
    Explanation,
    MoneyFormatter,
    change_sentences,
    explain,
    explain_other,
    explain_parts,
    unconfirmed_used,
)
from domain.poverty.loading import (
    CHANGEOVER_WINDOW,
    changeover_note_needed,
    load_standards,
    other_standard,
    standard_by_id,
    standard_for,
)
from domain.poverty.models import (
    Area,
    AreaAmounts,
    AverageRule,
    Categories,
    Category,
    CategoryRule,
    DataError,
    FactRule,
    IncomeLine,
    IncomeLines,
    Indicator,
    InputError,
    LegalCitation,
    NoStandardError,
    Standard,
    StandardName,
)

__all__ = [
    "CATEGORY_NAMES", "CHANGEOVER_WINDOW", "N_", "OFFICIAL", "Area", "AreaAmounts", "Assessment",
    "AverageRule", "Categories", "Category", "CategoryRule", "Change", "DataError",
    "Explanation", "FactRule", "Household", "IncomeLine", "IncomeLines", "Indicator",
    "InputError", "LegalCitation", "MoneyFormatter", "NoStandardError", "Standard",
    "StandardName", "Translator", "apply_patch", "assess", "assess_json", "assessment_to_json",
    "category_of", "change_patch", "change_sentences", "changeover_note_needed",
    "changes_to_json", "explain", "explain_other", "explain_parts", "household_from_json",
    "input_date", "load_standards", "other_standard", "shown_income", "standard_by_id",
    "standard_for", "translate_household", "unconfirmed_used",
]
