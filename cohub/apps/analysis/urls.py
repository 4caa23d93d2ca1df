from django.urls import path

from cohub.apps.analysis.views import (
    anchors,
    board,
    clips,
    coding_log,
    quotes,
    review_sheet,
    suggestions,
    themes,
)

app_name = "analysis"

urlpatterns = [
    path("stories/<int:story_id>/review-sheet/", review_sheet.review_sheet, name="review_sheet"),
    path(
        "stories/<int:story_id>/review-sheet/notes/",
        review_sheet.review_sheet_notes,
        name="review_sheet_notes",
    ),
    path(
        "stories/<int:story_id>/review-sheet/quotes/",
        review_sheet.highlight_create,
        name="highlight_create",
    ),
    path("highlights/<int:highlight_id>/", quotes.highlight_edit, name="highlight_edit"),
    path("highlights/<int:highlight_id>/place/", anchors.highlight_place, name="highlight_place"),
    path("highlights/<int:highlight_id>/delete/", quotes.highlight_delete, name="highlight_delete"),
    path("highlights/<int:highlight_id>/themes/", quotes.highlight_tag, name="highlight_tag"),
    path("highlights/<int:highlight_id>/clip/nudge/", clips.clip_nudge, name="clip_nudge"),
    path("highlights/<int:highlight_id>/clip/download/", clips.clip_download, name="clip_download"),
    path(
        "highlights/<int:highlight_id>/themes/new/",
        quotes.highlight_tag_new_theme,
        name="highlight_tag_new_theme",
    ),
    path(
        "highlights/<int:highlight_id>/themes/<int:theme_id>/remove/",
        quotes.highlight_untag,
        name="highlight_untag",
    ),
    path("themes/", themes.theme_list, name="theme_list"),
    path("themes/new/", themes.theme_create, name="theme_create"),
    path("themes/merge/", themes.theme_merge, name="theme_merge"),
    path("themes/<int:theme_id>/", themes.theme_detail, name="theme_detail"),
    path("themes/<int:theme_id>/rename/", themes.theme_rename, name="theme_rename"),
    path("board/", board.board, name="board"),
    path("board/feed/", board.board_feed, name="board_feed"),
    path("board/who-shaped-it/", board.board_contributions, name="board_contributions"),
    path("board/quotes/<int:highlight_id>/move/", board.board_move, name="board_move"),
    path("board/themes/new/", board.board_theme_create, name="board_theme_create"),
    path(
        "board/themes/<int:theme_id>/rename/", board.board_theme_rename, name="board_theme_rename"
    ),
    path("board/themes/<int:theme_id>/merge/", board.board_theme_merge, name="board_theme_merge"),
    path("board/notes/new/", board.board_note_add, name="board_note_add"),
    path("board/notes/<int:note_id>/remove/", board.board_note_remove, name="board_note_remove"),
    path("board/rounds/new/", board.board_round_open, name="board_round_open"),
    path(
        "board/rounds/<int:visioning_round_id>/close/",
        board.board_round_close,
        name="board_round_close",
    ),
    path(
        "board/rounds/<int:visioning_round_id>/notes/",
        board.board_round_note,
        name="board_round_note",
    ),
    path(
        "board/rounds/<int:visioning_round_id>/group/",
        board.board_round_group,
        name="board_round_group",
    ),
    path("themes/suggestions/", suggestions.suggestion_runs, name="suggestion_runs"),
    path(
        "themes/suggestions/new/",
        suggestions.suggestion_run_create,
        name="suggestion_run_create",
    ),
    path("themes/suggestions/<int:run_id>/", suggestions.suggestion_run, name="suggestion_run"),
    path(
        "themes/suggested/<int:suggestion_id>/decide/",
        suggestions.suggestion_decide,
        name="suggestion_decide",
    ),
    path("highlights/<int:highlight_id>/similar/", suggestions.quote_similar, name="quote_similar"),
    path("coding-log/", coding_log.coding_log, name="coding_log"),
    path("coding-log/<int:event_id>/undo/", coding_log.coding_event_undo, name="coding_event_undo"),
    path("coding-log/<int:event_id>/redo/", coding_log.coding_event_redo, name="coding_event_redo"),
]
