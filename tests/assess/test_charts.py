"""The charts' geometry: hidden groups are never placed, medians land where they should."""

from cohub.apps.assess import charts


def series(key, median, hidden=False):
    return charts.Series(key=key, label=key.title(), short=key[0], median=median, hidden=hidden)


def test_dot_plot_places_medians_and_never_a_hidden_group():
    plot = charts.dot_plot(
        [series("all", 3.0), series("lived", 1.0), series("staff", 5.0), series("dm", None, True)],
        steps=5,
        hidden_note="fewer than 3 people answered",
    )
    xs = [row.dot_x for row in plot.rows]
    assert xs[1] == charts.PLOT_LEFT and xs[2] == charts.PLOT_RIGHT
    assert xs[0] == (charts.PLOT_LEFT + charts.PLOT_RIGHT) / 2
    assert xs[3] is None and plot.rows[3].note == "fewer than 3 people answered"
    assert [t.label for t in plot.ticks] == ["1", "2", "3", "4", "5"]


def test_ladder_puts_the_top_rung_highest_and_halves_between_rungs():
    rungs = ["coercing", "informing", "co-producing"]
    chart = charts.ladder_chart(
        [series("all", 2.5), series("lived", 1.0), series("dm", 3.0, True)], rungs=rungs
    )
    by_number = {rung.number: rung.y for rung in chart.rungs}
    assert by_number[3] < by_number[2] < by_number[1]
    assert [m.short for m in chart.markers] == ["a", "l"]  # the hidden group has no marker
    assert chart.markers[0].y == (by_number[2] + by_number[3]) / 2
    assert chart.markers[1].y == by_number[1]


def test_heat_map_grid_follows_the_choices_and_counts():
    choices = ["a/x", "a/y", "b/x", "b/y"]
    heat = charts.heat_map({"a/y": 4, "b/x": 1}, choices=choices)
    assert heat.row_names == ["a", "b"] and heat.column_names == ["x", "y"]
    assert heat.grid == [[0, 4], [1, 0]]
    assert [c.shade for c in heat.cells] == [0, 4, 1, 0]
