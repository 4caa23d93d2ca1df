import rules


@rules.predicate
def started_job(user, job) -> bool:
    return job is not None and user.is_authenticated and job.created_by_id == user.pk


rules.add_perm("jobs.view_job", started_job | rules.is_superuser)
# Trying a failed job again is for whoever could see it fail.
rules.add_perm("jobs.retry_job", started_job | rules.is_superuser)
