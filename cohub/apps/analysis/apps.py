from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "cohub.apps.analysis"
    label = "analysis"

    def ready(self) -> None:
        # Importing services registers the purger that removes coding-log rows with their
        # story; importing anchoring, the follower that moves quotes to a new version.
        from cohub.apps.analysis import (  # noqa: F401
            anchoring,
            purge,
            selectors,
            services,
            suggestion_selectors,
            suggestions,
            vectors,
        )
        from cohub.apps.projects.summary import register_project_count
        from cohub.apps.stories.derived import register_derived, register_story_page

        register_story_page("analysis:review_sheet")
        register_derived(
            key="highlights", one="key quote", many="key quotes", count=selectors.highlight_counts
        )
        register_derived(
            key="review_sheets",
            one="review sheet with notes",
            many="review sheets with notes",
            count=selectors.review_sheet_counts,
            in_lists=False,
        )
        register_derived(
            key="quote_vectors",
            one="stored reading of a quote for theme suggestions",
            many="stored readings of quotes for theme suggestions",
            count=vectors.vector_counts,
            in_lists=False,
        )
        register_derived(
            key="suggested_places",
            one="place in suggested themes",
            many="places in suggested themes",
            count=suggestion_selectors.placement_counts,
            in_lists=False,
        )
        register_project_count(
            key="highlights",
            label="Key quotes",
            order=30,
            count=selectors.project_highlight_count,
        )
        register_project_count(
            key="themes", label="Themes", order=40, count=selectors.project_theme_count
        )
