from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from remit.core.models import AuditEvent
from remit.protocols.definitions import load_library
from remit.protocols.models import ProtocolVersion
from remit.protocols.selectors import (
    course_get_for_staff,
    protocol_of,
    protocol_versions_current,
)
from remit.protocols.services import (
    course_extend,
    course_phase_change,
    course_status_change,
    protocol_change,
    protocol_library_ensure,
)
from remit.scheduling.tests.helpers import new_course, version

pytestmark = pytest.mark.django_db


def test_the_whole_shipped_library_is_stored_once():
    protocol_library_ensure()
    assert protocol_library_ensure() == 0
    stored = set(ProtocolVersion.objects.values_list("code", flat=True))
    assert stored == set(load_library())


def test_a_clinic_change_makes_a_new_version_and_running_courses_keep_theirs(cast):
    course = new_course(cast.patient, cast.prescriber)
    old = course.protocol_version
    new = protocol_change(
        version=old,
        clinic=cast.clinic,
        changes={"session.observation_min": 60, "phases.induction.spacing.window_days": 24},
        reason="Medical director: 60 min recovery",
        by=cast.prescriber,
    )
    assert (new.version, new.clinic_id) == (2, cast.clinic.pk)
    changed = protocol_of(new)
    assert changed.session.observation_min == 60
    assert changed.phase("induction").spacing.window_days == 24
    course.refresh_from_db()
    assert course.protocol_version_id == old.pk
    assert protocol_of(course.protocol_version).session.observation_min == 90
    assert version(cast.clinic, "iv-ketamine-induction") == new
    other_clinic_sees = version(cast.other_clinic, "iv-ketamine-induction")
    assert other_clinic_sees == old, "another clinic keeps the library version"
    assert AuditEvent.objects.filter(object_id=str(new.pk), action="create").exists()


def test_only_the_current_version_can_be_changed_and_a_reason_is_needed(cast):
    old = version(cast.clinic, "itbs")
    with pytest.raises(ValidationError, match="say why"):
        protocol_change(
            version=old,
            clinic=cast.clinic,
            changes={"session.preparation_min": 10},
            reason=" ",
            by=cast.prescriber,
        )
    protocol_change(
        version=old,
        clinic=cast.clinic,
        changes={"session.preparation_min": 10},
        reason="Seating takes longer",
        by=cast.prescriber,
    )
    with pytest.raises(ValidationError, match="Only the current version"):
        protocol_change(
            version=old,
            clinic=cast.clinic,
            changes={"session.preparation_min": 12},
            reason="Again",
            by=cast.prescriber,
        )


def test_a_change_that_breaks_the_spacing_rules_is_refused_with_the_field(cast):
    with pytest.raises(ValidationError, match="phases.induction"):
        protocol_change(
            version=version(cast.clinic, "iv-ketamine-induction"),
            clinic=cast.clinic,
            changes={"phases.induction.spacing.window_days": 5},
            reason="Compress",
            by=cast.prescriber,
        )


def test_a_course_moves_only_along_the_transition_table_with_a_history(cast):
    course = new_course(cast.patient, cast.prescriber)
    with pytest.raises(ValidationError, match="cannot become completed"):
        course_status_change(course=course, new_status="completed", by=cast.prescriber)
    course_status_change(course=course, new_status="active", by=cast.prescriber)
    course_status_change(course=course, new_status="completed", by=cast.prescriber)
    with pytest.raises(ValidationError, match="none \\(final\\)"):
        course_status_change(course=course, new_status="stopped", reason="late", by=cast.prescriber)
    course.refresh_from_db()
    assert course.ended_at is not None
    assert list(course.status_changes.values_list("old_status", "new_status")) == [
        ("", "planned"),
        ("planned", "active"),
        ("active", "completed"),
    ]


def test_a_phase_without_an_extension_step_cannot_be_extended(cast):
    course = new_course(cast.patient, cast.prescriber, "esketamine-trd", "induction")
    with pytest.raises(ValidationError, match="cannot be extended"):
        course_extend(course=course, sessions=2, by=cast.prescriber)
    course_phase_change(course=course, phase="continuation-weekly", by=cast.prescriber)
    course_extend(course=course, sessions=4, by=cast.prescriber)
    course.refresh_from_db()
    assert (course.phase, course.extra_sessions) == ("continuation-weekly", 4)


def test_another_clinics_course_looks_missing(cast):
    course = new_course(cast.patient, cast.prescriber)
    from django.http import Http404

    with pytest.raises(Http404):
        course_get_for_staff(user=cast.outsider, course_id=course.pk)
    assert course_get_for_staff(user=cast.intake, course_id=course.pk) == course


def test_new_courses_start_on_the_latest_version_of_every_protocol(cast):
    codes = [v.code for v in protocol_versions_current(cast.clinic)]
    assert sorted(codes) == sorted(load_library())
