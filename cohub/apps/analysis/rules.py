import rules

from cohub.apps.projects.predicates import can_code

rules.add_perm("analysis.view_codebook", can_code)
rules.add_perm("analysis.code_story", can_code)
rules.add_perm("analysis.change_review_sheet", can_code)
rules.add_perm("analysis.manage_themes", can_code)
rules.add_perm("analysis.view_coding_log", can_code)
