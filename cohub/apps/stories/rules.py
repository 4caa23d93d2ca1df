import rules

from cohub.apps.projects.predicates import can_code, can_gather

# Every object here is the project the record belongs to.
rules.add_perm("stories.view_storyteller", can_gather)
rules.add_perm("stories.manage_storyteller", can_gather)
rules.add_perm("stories.manage_consent", can_gather)
rules.add_perm("stories.add_story", can_gather)
rules.add_perm("stories.delete_story", can_gather)
rules.add_perm("stories.view_story", can_code)
