"""Background work for measurement-based care, run by `remit worker` (django-tasks).

There is no periodic scheduler: each run of a schedule enqueues its own next run, and each sent
request enqueues its next reminder. The tasks only call services.
"""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_request(request_id: int, reminder: bool) -> bool:
    """Send a questionnaire request's link (or a reminder); False if it is no longer open."""
    from remit.measures.models import AssessmentRequest
    from remit.measures.services import request_deliver

    request = AssessmentRequest.objects.filter(pk=request_id).first()
    if request is None:
        return False
    return request_deliver(request=request, reminder=reminder) is not None


@task()
def run_schedule(schedule_id: int, planned: str) -> int:
    """Look at one schedule: send what is due and plan the next look. Returns requests made."""
    from remit.measures.services import schedule_run

    return len(schedule_run(schedule_id=schedule_id, planned=planned))
