"""Dose arithmetic at the chair: ketamine (IV, IM, oral, sublingual), esketamine devices, TMS.

Pure code: no Django, Decimal in and out, every clinical number beside its source tag from
clinical-reference.md. Results carry the arithmetic as plain lines so the nurse and the
prescriber can check the numbers the machine used.

Rounding: doses round to 0.1 mg, pump rates to 0.1 mL/h, volumes to 0.01 mL and weights to
0.1 kg, always ROUND_HALF_UP (a 5 rounds away from zero, as people round by hand), so the
screen and a calculator agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

Number = int | float | Decimal | str

ROUNDING = ROUND_HALF_UP
MG_STEP = Decimal("0.1")
ML_PER_H_STEP = Decimal("0.1")
ML_STEP = Decimal("0.01")
KG_STEP = Decimal("0.1")
MINUTES_STEP = Decimal("0.1")
MINUTES_PER_HOUR = Decimal(60)


class Modality(StrEnum):
    IV_KETAMINE = "iv_ketamine"
    IM_KETAMINE = "im_ketamine"
    ORAL_KETAMINE = "oral_ketamine"
    SUBLINGUAL_KETAMINE = "sublingual_ketamine"
    ESKETAMINE = "esketamine"
    TMS = "tms"


def to_decimal(value: Number, *, field: str) -> Decimal:
    """Read a number the way it was typed: through str, so 70.1 stays 70.1 (never float maths)."""
    # bool is an int subclass; a tick box must never become a weight of 1 kg.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ValueError(f"{field} must be a number; got {value!r}.")
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(
            f"{field} must be a number (use a point for decimals); got {value!r}."
        ) from None
    if not result.is_finite():
        raise ValueError(f"{field} must be a number; got {value!r}.")
    return result


def show(value: Decimal, min_places: int = 0) -> str:
    """A Decimal as people write it: no exponent, no trailing zeros beyond min_places."""
    text = f"{value.normalize():f}"
    places = len(text.partition(".")[2])
    if places < min_places:
        text = f"{value:.{min_places}f}"
    return text


@dataclass(frozen=True)
class Range:
    """An inclusive allowed range for one input, with the words used when it is broken."""

    low: Decimal
    high: Decimal
    unit: str
    label: str
    source: str = ""

    def check(self, value: Decimal) -> Decimal:
        if not self.low <= value <= self.high:
            raise ValueError(
                f"{self.label} must be between {show(self.low)} and {show(self.high)} "
                f"{self.unit}; {show(value)} {self.unit} was entered. Check the value and its unit."
            )
        return value


def _range(low: str, high: str, unit: str, label: str, source: str = "") -> Range:
    return Range(Decimal(low), Decimal(high), unit, label, source)


# Input limits from the specification for IV ketamine: they catch typing errors
# (0 kg, 10 mg/kg) rather than encode a clinical maximum. The clinical dose comes from the protocol.
IV_WEIGHT_KG = _range("30", "300", "kg", "Weight")
# Studies used 0.1–0.75 mg/kg [S52]; the entry limit is wider (to 1.0) so a protocol may go
# slightly beyond the studied range, but never to a mistyped tenfold dose.
IV_MG_PER_KG = _range("0.1", "1.0", "mg/kg", "Dose per kilogram", "[S52]")
IV_MINUTES = _range("20", "120", "min", "Infusion time")
IV_BAG_ML = _range("10", "1000", "mL", "Bag volume")
# Standard IV regimen: 0.5 mg/kg over 40 minutes [S51], [S52].
IV_STANDARD_MG_PER_KG = Decimal("0.5")
IV_STANDARD_MINUTES = 40

# IM: 0.25 and 0.5 mg/kg were studied [S60]. Default limits allow only that span; a clinic whose
# protocol differs passes its own Range.
IM_MG_PER_KG = _range("0.25", "0.5", "mg/kg", "IM dose per kilogram", "[S60]")
# Oral: fixed doses of 25–300 mg reported [S61] (titration example 50 mg + 25 mg steps [S62]).
ORAL_MG = _range("25", "300", "mg", "Oral dose", "[S61]")
# Sublingual: only 10 mg was studied [S63]; the default allows exactly that.
SUBLINGUAL_MG = _range("10", "10", "mg", "Sublingual dose", "[S63]")
CONCENTRATION_MG_PER_ML = _range("0.1", "500", "mg/mL", "Concentration")


# --- Weight basis ---------------------------------------------------------------------------


class WeightBasis(StrEnum):
    # Which weight is used is UNCONFIRMED [S58], [S59]: a per-patient setting, recorded per dose.
    ACTUAL = "actual"
    IDEAL = "ideal"
    ADJUSTED = "adjusted"


class Sex(StrEnum):
    """Sex as the ideal-body-weight formula needs it (the formula knows only these two)."""

    FEMALE = "female"
    MALE = "male"


# Devine BJ, Drug Intell Clin Pharm 1974: IBW = 50 kg (male) or 45.5 kg (female)
# + 2.3 kg per inch over 5 feet. A standard pharmacy formula, NOT from clinical-reference.md;
# the medical director must confirm before use.
DEVINE_BASE_KG = {Sex.MALE: Decimal("50"), Sex.FEMALE: Decimal("45.5")}
DEVINE_KG_PER_INCH = Decimal("2.3")
DEVINE_BASE_INCHES = Decimal("60")
CM_PER_INCH = Decimal("2.54")
# Adjusted body weight = IBW + factor × (actual − IBW); 0.4 is the usual pharmacy factor,
# not from clinical-reference.md, hence a parameter.
DEFAULT_ADJUSTMENT_FACTOR = Decimal("0.4")
HEIGHT_CM = _range("120", "250", "cm", "Height")
ADJUSTMENT_FACTOR = _range("0", "1", "", "Adjustment factor")


@dataclass(frozen=True)
class DosingWeight:
    basis: WeightBasis
    weight_kg: Decimal
    actual_weight_kg: Decimal
    ideal_weight_kg: Decimal | None
    arithmetic: tuple[str, ...]


def ideal_body_weight_kg(*, height_cm: Number, sex: Sex | str) -> tuple[Decimal, str]:
    """Devine 1974 ideal body weight, rounded to 0.1 kg, with its arithmetic line."""
    height = HEIGHT_CM.check(to_decimal(height_cm, field="Height"))
    try:
        sex = Sex(sex)
    except ValueError:
        raise ValueError(
            f"Sex for the ideal-body-weight formula must be female or male; got {sex!r}."
        ) from None
    inches = height / CM_PER_INCH
    exact = DEVINE_BASE_KG[sex] + DEVINE_KG_PER_INCH * (inches - DEVINE_BASE_INCHES)
    ibw = exact.quantize(KG_STEP, ROUNDING)
    line = (
        f"Ideal body weight (Devine 1974, {sex}): {show(DEVINE_BASE_KG[sex])} kg + 2.3 kg × "
        f"({show(height, 1)} cm ÷ 2.54 − 60 in) = {show(DEVINE_BASE_KG[sex])} + 2.3 × "
        f"{inches - DEVINE_BASE_INCHES:.2f} = {show(ibw, 1)} kg"
    )
    return ibw, line


def dosing_weight(
    *,
    basis: WeightBasis | str,
    actual_weight_kg: Number,
    height_cm: Number | None = None,
    sex: Sex | str | None = None,
    adjustment_factor: Number = DEFAULT_ADJUSTMENT_FACTOR,
    cap_at_actual: bool = True,
) -> DosingWeight:
    """The weight a mg/kg dose is calculated on, chosen explicitly, with the arithmetic shown.

    With cap_at_actual (the default), an ideal or adjusted weight above the actual weight is
    replaced by the actual weight, so a thin patient is never dosed on more kilograms than they
    weigh. Whether to do so is the medical director's call, like the basis itself.
    """
    try:
        basis = WeightBasis(basis)
    except ValueError:
        raise ValueError(
            f"Weight basis must be actual, ideal or adjusted; got {basis!r}."
        ) from None
    actual = IV_WEIGHT_KG.check(to_decimal(actual_weight_kg, field="Weight"))
    actual_line = f"Actual weight: {show(actual, 1)} kg"
    if basis is WeightBasis.ACTUAL:
        return DosingWeight(basis, actual, actual, None, (actual_line, "Weight basis: actual"))
    if height_cm is None or sex is None:
        raise ValueError(f"The {basis} body weight needs the patient's height and sex.")
    ibw, ibw_line = ideal_body_weight_kg(height_cm=height_cm, sex=sex)
    lines = [actual_line, ibw_line]
    if basis is WeightBasis.IDEAL:
        weight = ibw
    else:
        factor = ADJUSTMENT_FACTOR.check(to_decimal(adjustment_factor, field="Adjustment factor"))
        weight = (ibw + factor * (actual - ibw)).quantize(KG_STEP, ROUNDING)
        lines.append(
            f"Adjusted body weight: {show(ibw, 1)} kg + {show(factor)} × ({show(actual, 1)} kg − "
            f"{show(ibw, 1)} kg) = {show(weight, 1)} kg"
        )
    if cap_at_actual and weight > actual:
        lines.append(
            f"The {basis} weight {show(weight, 1)} kg is above the actual weight; "
            f"the actual weight {show(actual, 1)} kg is used"
        )
        weight = actual
    lines.append(f"Weight basis: {basis}, dosing weight {show(weight, 1)} kg")
    return DosingWeight(basis, weight, actual, ibw, tuple(lines))


def _weight_input(
    weight_kg: Number | DosingWeight, basis: WeightBasis | None
) -> tuple[Decimal, WeightBasis | None, tuple[str, ...]]:
    if isinstance(weight_kg, DosingWeight):
        return IV_WEIGHT_KG.check(weight_kg.weight_kg), weight_kg.basis, weight_kg.arithmetic
    weight = IV_WEIGHT_KG.check(to_decimal(weight_kg, field="Weight"))
    return weight, basis, (f"Weight basis: {basis or 'not recorded'}",)


def _dose_line(mg_per_kg: Decimal, weight: Decimal, exact: Decimal, mg: Decimal) -> str:
    line = f"{show(mg_per_kg)} mg/kg × {show(weight, 1)} kg = "
    if exact == mg:
        return line + f"{show(mg, 1)} mg"
    return line + f"{show(exact)} mg, rounded half-up to {show(mg, 1)} mg"


def _volume(mg: Decimal, concentration: Number | None) -> tuple[Decimal | None, tuple[str, ...]]:
    if concentration is None:
        return None, ()
    conc = CONCENTRATION_MG_PER_ML.check(to_decimal(concentration, field="Concentration"))
    volume = (mg / conc).quantize(ML_STEP, ROUNDING)
    return volume, (f"{show(mg, 1)} mg ÷ {show(conc)} mg/mL = {show(volume, 2)} mL",)


class ReadableByName:
    """Lets a result dataclass be read as `dose.mg` or `dose["mg"]`: callers outside Remit
    (a pharmacy check, a script) reach for either, and both must give the same value."""

    def __getitem__(self, name: str) -> object:
        if name not in getattr(self, "__dataclass_fields__", {}):
            raise KeyError(name)
        return getattr(self, name)


# --- IV ketamine ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IvKetamineDose(ReadableByName):
    weight_kg: Decimal
    weight_basis: WeightBasis | None
    mg_per_kg: Decimal
    minutes: Decimal
    bag_ml: Decimal
    mg: Decimal
    ml_per_hour: Decimal
    mg_per_minute: Decimal
    arithmetic: tuple[str, ...]


def iv_ketamine(
    weight_kg: Number | DosingWeight,
    mg_per_kg: Number = IV_STANDARD_MG_PER_KG,
    minutes: Number = IV_STANDARD_MINUTES,
    bag_ml: Number = 100,
    *,
    weight_basis: WeightBasis | None = None,
) -> IvKetamineDose:
    """IV ketamine: the dose in mg, the pump rate that runs the whole bag, and mg per minute.

    Pass a DosingWeight to record the weight basis with the dose (2.4 of the reference);
    with a bare number, weight_basis says which weight it is.
    mg rounds half-up to 0.1 mg and the pump rate to 0.1 mL/h; mg_per_minute is the rounded
    dose over the minutes, not rounded further.
    """
    weight, basis, weight_lines = _weight_input(weight_kg, weight_basis)
    per_kg = IV_MG_PER_KG.check(to_decimal(mg_per_kg, field="Dose per kilogram"))
    duration = IV_MINUTES.check(to_decimal(minutes, field="Infusion time"))
    bag = IV_BAG_ML.check(to_decimal(bag_ml, field="Bag volume"))

    exact_mg = per_kg * weight
    mg = exact_mg.quantize(MG_STEP, ROUNDING)
    ml_per_hour = (bag * MINUTES_PER_HOUR / duration).quantize(ML_PER_H_STEP, ROUNDING)
    mg_per_minute = mg / duration
    arithmetic = (
        *weight_lines,
        _dose_line(per_kg, weight, exact_mg, mg),
        f"{show(mg, 1)} mg in a {show(bag)} mL bag over {show(duration)} min",
        f"Pump rate: {show(bag)} mL ÷ {show(duration)} min × 60 min/h "
        f"= {show(ml_per_hour, 1)} mL/h",
        f"Dose rate: {show(mg, 1)} mg ÷ {show(duration)} min = {mg_per_minute:.3f} mg/min",
    )
    return IvKetamineDose(
        weight, basis, per_kg, duration, bag, mg, ml_per_hour, mg_per_minute, arithmetic
    )


# --- IM, oral and sublingual ketamine -----------------------------------------------------------


@dataclass(frozen=True)
class KetamineDose(ReadableByName):
    """A non-IV ketamine dose, with the volume to draw when a concentration is given."""

    modality: Modality
    mg: Decimal
    volume_ml: Decimal | None
    weight_kg: Decimal | None
    weight_basis: WeightBasis | None
    mg_per_kg: Decimal | None
    arithmetic: tuple[str, ...]


def im_ketamine(
    weight_kg: Number | DosingWeight,
    mg_per_kg: Number,
    *,
    concentration_mg_per_ml: Number | None = None,
    mg_per_kg_range: Range = IM_MG_PER_KG,
    weight_basis: WeightBasis | None = None,
) -> KetamineDose:
    """IM ketamine by weight; the protocol supplies mg/kg (e.g. 0.25 or 0.5 mg/kg [S60])."""
    weight, basis, weight_lines = _weight_input(weight_kg, weight_basis)
    per_kg = mg_per_kg_range.check(to_decimal(mg_per_kg, field=mg_per_kg_range.label))
    exact_mg = per_kg * weight
    mg = exact_mg.quantize(MG_STEP, ROUNDING)
    volume, volume_lines = _volume(mg, concentration_mg_per_ml)
    lines = (*weight_lines, _dose_line(per_kg, weight, exact_mg, mg), *volume_lines)
    return KetamineDose(Modality.IM_KETAMINE, mg, volume, weight, basis, per_kg, lines)


def _fixed_dose(
    modality: Modality, dose_mg: Number, mg_range: Range, concentration: Number | None
) -> KetamineDose:
    mg = mg_range.check(to_decimal(dose_mg, field=mg_range.label)).quantize(MG_STEP, ROUNDING)
    volume, volume_lines = _volume(mg, concentration)
    lines = (f"{mg_range.label}: {show(mg, 1)} mg (fixed dose from the protocol)", *volume_lines)
    return KetamineDose(modality, mg, volume, None, None, None, lines)


def oral_ketamine(
    dose_mg: Number,
    *,
    concentration_mg_per_ml: Number | None = None,
    mg_range: Range = ORAL_MG,
) -> KetamineDose:
    """Oral ketamine as a fixed dose from the protocol (reported 25–300 mg [S61])."""
    return _fixed_dose(Modality.ORAL_KETAMINE, dose_mg, mg_range, concentration_mg_per_ml)


def sublingual_ketamine(
    dose_mg: Number,
    *,
    concentration_mg_per_ml: Number | None = None,
    mg_range: Range = SUBLINGUAL_MG,
) -> KetamineDose:
    """Sublingual ketamine as a fixed dose (10 mg of 100 mg/mL, held 5 minutes [S63])."""
    return _fixed_dose(Modality.SUBLINGUAL_KETAMINE, dose_mg, mg_range, concentration_mg_per_ml)


# --- Esketamine -------------------------------------------------------------------------------

# Each nasal device delivers 28 mg; rest 5 minutes between devices [S67], [S68].
ESKETAMINE_DEVICE_MG = Decimal("28")
ESKETAMINE_DEVICE_INTERVAL_MIN = 5
# Labelled adult doses 56 or 84 mg [S66], [S67]. 28 mg only as a start at age 65+ in a Hong Kong
# label summary; whether the US label has it is UNCONFIRMED [S67], so it needs an explicit flag.
ESKETAMINE_DOSES_MG = (Decimal("56"), Decimal("84"))
ESKETAMINE_ELDERLY_START_MG = Decimal("28")


@dataclass(frozen=True)
class EsketamineDose(ReadableByName):
    dose_mg: Decimal
    devices: int
    device_offsets_min: tuple[int, ...]
    arithmetic: tuple[str, ...]


def esketamine_dose(dose_mg: Number, *, allow_28_mg: bool = False) -> EsketamineDose:
    """Esketamine 56 or 84 mg as 28 mg devices, each 5 minutes after the one before."""
    dose = to_decimal(dose_mg, field="Esketamine dose")
    allowed = (
        (ESKETAMINE_ELDERLY_START_MG, *ESKETAMINE_DOSES_MG) if allow_28_mg else ESKETAMINE_DOSES_MG
    )
    if dose not in allowed:
        if dose == ESKETAMINE_ELDERLY_START_MG:
            raise ValueError(
                "Esketamine 28 mg is only a start dose for patients aged 65 or over in some labels "
                "(not confirmed for the US label); the prescriber must allow it explicitly."
            )
        raise ValueError(
            f"Esketamine dose must be {' or '.join(show(d) for d in allowed)} mg; "
            f"{show(dose)} mg was entered."
        )
    devices = int(dose / ESKETAMINE_DEVICE_MG)
    offsets = tuple(n * ESKETAMINE_DEVICE_INTERVAL_MIN for n in range(devices))
    lines = (
        f"{show(dose)} mg ÷ 28 mg per device = {devices} device{'s' if devices > 1 else ''}",
        "Device times: " + ", ".join(f"+{m} min" for m in offsets) + " (5 minutes apart)",
    )
    return EsketamineDose(dose.quantize(MG_STEP), devices, offsets, lines)


@dataclass(frozen=True)
class EsketamineDeviceTiming(ReadableByName):
    number: int
    minutes_after_previous: Decimal | None
    # Plain words when the rest before this device was shorter than the label's 5 minutes.
    short_rest: str


def esketamine_device_due(previous_at: datetime) -> datetime:
    """When the next device may be given: 5 minutes after the one before [S67], [S68]."""
    return previous_at + timedelta(minutes=ESKETAMINE_DEVICE_INTERVAL_MIN)


def esketamine_device_timing(
    *, devices: int, given_at: Sequence[datetime], at: datetime
) -> EsketamineDeviceTiming:
    """The next device of a dose of `devices`, given at `at` after those `given_at`.

    A device given before its 5 minutes are up is still recorded (the chart must say what
    happened) and carries `short_rest`; a device beyond the dose or before the previous one
    is impossible and raises ValueError.
    """
    number = len(given_at) + 1
    if number > devices:
        raise ValueError(f"All {devices} devices of this dose are already recorded.")
    if not given_at:
        return EsketamineDeviceTiming(number, None, "")
    previous = given_at[-1]
    if at < previous:
        raise ValueError(f"Device {number} cannot be given before device {number - 1}.")
    minutes = (Decimal((at - previous).total_seconds()) / MINUTES_PER_HOUR).quantize(MINUTES_STEP)
    short = (
        f"Device {number} was given {show(minutes, 1)} min after device {number - 1}; "
        f"the label asks for a {ESKETAMINE_DEVICE_INTERVAL_MIN}-minute rest between devices."
        if at < esketamine_device_due(previous)
        else ""
    )
    return EsketamineDeviceTiming(number, minutes, short)


# --- TMS --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TmsLimits:
    """What a TMS session record may contain. Plausibility limits, not a treatment protocol."""

    # Motor threshold is a percentage of the stimulator's maximum output.
    motor_threshold_pct: Range = _range("1", "100", "%", "Motor threshold")
    # 90% RMT (SNT [S100]) to 120% MT (standard 10 Hz [S94]) are the sourced intensities.
    percent_of_mt: Range = _range("90", "120", "% of MT", "Intensity", "[S94], [S100]")
    # 10 Hz is the sourced rTMS frequency [S94]; the span to 50 Hz covers theta-burst devices
    # and is a plausibility limit the medical director should confirm.
    frequency_hz: Range = _range("1", "50", "Hz", "Frequency", "[S94]")
    # 3000 pulses is the largest sourced session (standard 10 Hz [S94]-[S96]).
    pulses: Range = _range("1", "3000", "pulses", "Pulses", "[S94]")
    # 75 trains in the standard 10 Hz session [S94].
    trains: Range = _range("1", "75", "trains", "Trains", "[S94]")


@dataclass(frozen=True)
class TmsRecord(ReadableByName):
    motor_threshold_pct: Decimal
    percent_of_mt: Decimal
    output_pct: Decimal
    frequency_hz: Decimal
    pulses: int
    trains: int
    coil: str
    target: str
    arithmetic: tuple[str, ...]


def _whole(value: Number, limits: Range) -> int:
    number = limits.check(to_decimal(value, field=limits.label))
    if number != number.to_integral_value():
        raise ValueError(f"{limits.label} must be a whole number; {show(number)} was entered.")
    return int(number)


def _text(value: str, label: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{label} must be filled in.")
    return value.strip()


def tms_record(
    *,
    motor_threshold_pct: Number,
    percent_of_mt: Number,
    frequency_hz: Number,
    pulses: Number,
    trains: Number,
    coil: str,
    target: str,
    limits: TmsLimits = TmsLimits(),  # noqa: B008 - frozen, so sharing the default is safe
) -> TmsRecord:
    """A validated TMS session record with the stimulator output it implies."""
    mt = limits.motor_threshold_pct.check(to_decimal(motor_threshold_pct, field="Motor threshold"))
    pct = limits.percent_of_mt.check(to_decimal(percent_of_mt, field="Intensity"))
    hz = limits.frequency_hz.check(to_decimal(frequency_hz, field="Frequency"))
    output = (mt * pct / 100).quantize(Decimal("0.1"), ROUNDING)
    # A stimulator cannot deliver more than its maximum output.
    if output > 100:
        raise ValueError(
            f"{show(pct)}% of a motor threshold of {show(mt)}% is {show(output, 1)}% of the "
            "stimulator's output, above its maximum of 100%. Check the motor threshold."
        )
    record_pulses = _whole(pulses, limits.pulses)
    record_trains = _whole(trains, limits.trains)
    if record_trains > record_pulses:
        raise ValueError(f"{record_trains} trains cannot hold only {record_pulses} pulses.")
    lines = (
        f"Output: {show(mt)}% motor threshold × {show(pct)}% "
        f"= {show(output, 1)}% of stimulator output",
        f"{record_pulses} pulses in {record_trains} trains at {show(hz)} Hz",
    )
    return TmsRecord(
        mt,
        pct,
        output,
        hz,
        record_pulses,
        record_trains,
        _text(coil, "Coil"),
        _text(target, "Target"),
        lines,
    )
