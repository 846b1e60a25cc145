""" "Ketamine, esketamine or TMS?": the comparison shown after the self-screen, as data.

Every cell carries its source tags from the clinical reference (sections 2, 3, 7 and 8); only
numbers that appear there are used. Where the reference has nothing, the cell says so rather
than filling the gap.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class TreatmentColumn:
    key: str
    name: str
    how_soon: Cell
    visits: Cell
    session: Cell
    side_effects: Cell
    response_rates: Cell

    def cells(self) -> dict[str, Cell]:
        return {row: getattr(self, row) for row in ROWS}


# Row key → the question as the page shows it.
ROWS: dict[str, str] = {
    "how_soon": "How soon can it work?",
    "visits": "How many visits?",
    "session": "What is a session like?",
    "side_effects": "Common side effects",
    "response_rates": "How many people respond? (published studies)",
}

IV_KETAMINE = TreatmentColumn(
    key="iv_ketamine",
    name="Ketamine (IV infusion)",
    how_soon=Cell(
        "Often within days. In one trial, half of those who responded did so by the third "
        "infusion; how someone felt 4 hours after an infusion predicted the final result.",
        ("[S46]", "[S29]"),
    ),
    visits=Cell(
        "Usually 6 infusions over 2–3 weeks (2 or 3 a week). There is no standard schedule for "
        "top-up infusions afterwards.",
        ("[S29]", "[S46]", "[S55]", "[S52]"),
    ),
    session=Cell(
        "A slow drip into a vein, most often 0.5 mg per kg of body weight over 40 minutes, with "
        "blood pressure checked during the infusion. Ketamine is used for depression outside "
        "its licence.",
        ("[S51]", "[S52]", "[S83]"),
    ),
    side_effects=Cell(
        "Feeling detached or unreal (dissociation) during the infusion; a rise in blood "
        "pressure that peaks about 40 minutes after the start. Bladder problems can occur with "
        "long-term use or misuse.",
        ("[S45c]", "[S83]", "[S64]"),
    ),
    response_rates=Cell(
        "59–71% responded after 6 infusions in trials. In everyday clinics, 53.6% responded "
        "and 28.9% went into remission after the first series.",
        ("[S46]", "[S29]", "[S56]"),
    ),
)

ESKETAMINE = TreatmentColumn(
    key="esketamine",
    name="Esketamine (Spravato nasal spray)",
    how_soon=Cell(
        "Can act within a day: in a trial in people with suicidal thoughts, depression scores "
        "were better than placebo 24 hours after the first dose. Benefit is judged at the end "
        "of the first 4 weeks.",
        ("[S111]", "[S66]"),
    ),
    visits=Cell(
        "Twice a week for weeks 1–4, once a week for weeks 5–8, then every 1 or 2 weeks.",
        ("[S66]", "[S67]"),
    ),
    session=Cell(
        "You spray it into your nose yourself at the clinic (2 or 3 devices, 5 minutes apart), "
        "then stay at least 2 hours to be watched. No food for 2 hours and no drinks for 30 "
        "minutes before. You need a ride home and cannot drive until the next day.",
        ("[S67]", "[S68]", "[S54]", "[S66]", "[S69]", "[S66c]"),
    ),
    side_effects=Cell(
        "Sleepiness (48–61% of patients) and feeling detached or unreal (61–75%), and a rise "
        "in blood pressure, which is checked before and after each dose.",
        ("[S54]", "[S66c]"),
    ),
    response_rates=Cell(
        "58.7% responded by day 28, compared with 45.2% on an antidepressant with a placebo "
        "spray. Used on its own, 22.5% were in remission at 4 weeks, compared with 7.6% on "
        "placebo.",
        ("[S110]", "[S65]"),
    ),
)

TMS = TreatmentColumn(
    key="tms",
    name="TMS (transcranial magnetic stimulation)",
    how_soon=Cell(
        "Usually over weeks: in the main trial TMS did better than a sham treatment at 4 and "
        "6 weeks. An accelerated schedule (SAINT) is given over 5 days.",
        ("[S94]", "[S100]"),
    ),
    visits=Cell(
        "5 sessions a week for 4–6 weeks (20–30 sessions). The accelerated schedule is 10 "
        "sessions a day for 5 days.",
        ("[S94]", "[S95]", "[S96]", "[S100]", "[S101]"),
    ),
    session=Cell(
        "A magnetic coil on the left front of the head gives short pulses. A standard session "
        "takes about 37 minutes, a shortened one about 19 minutes, and a theta-burst session "
        "about 3 minutes. No drug is given.",
        ("[S94]", "[S96]", "[S97]", "[S98]", "[S99]"),
    ),
    side_effects=Cell(
        "Our reference does not list side-effect rates. In the main trial, 4.5% stopped "
        "because of side effects.",
        ("[S94]",),
    ),
    response_rates=Cell(
        "In everyday practice, 58% responded and 37% went into remission (clinician-rated).",
        ("[S105]",),
    ),
)

COMPARISON: tuple[TreatmentColumn, ...] = (IV_KETAMINE, ESKETAMINE, TMS)

# Shown under the table.
FOOTNOTES: tuple[Cell, ...] = (
    Cell(
        "Ketamine can also be given as an injection into a muscle, by mouth or under the tongue; "
        "each has much less research behind it than the infusion.",
        ("[S60]", "[S61]", "[S63]"),
    ),
    Cell(
        "Studies measure response differently, so the numbers are a guide, not a promise. "
        "A clinician decides which treatment, if any, fits you.",
        (),
    ),
)
