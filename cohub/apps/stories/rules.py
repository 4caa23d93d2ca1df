import rules

from cohub.apps.projects.predicates import can_code, can_gather

# The object is the project, or the storyteller or story a page acts on
# (``project_of`` finds its project).
rules.add_perm("stories.view_storyteller", can_gather)
rules.add_perm("stories.manage_storyteller", can_gather)
rules.add_perm("stories.manage_consent", can_gather)
rules.add_perm("stories.add_story", can_gather)
rules.add_perm("stories.delete_story", can_gather)
rules.add_perm("stories.view_story", can_code)
# Who speaks, and as what, decides whose consent governs a name: those who gathered it know.
rules.add_perm("stories.change_speaker", can_gather)
